#include "auditpage.h"

#include "auditwords.h"

#include "consolebackend.h"
#include "consoletablemodels.h"
#include "csvwriter.h"
#include "errormessages.h"
#include "rowfilterproxy.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QLineEdit>
#include <QSaveFile>
#include <QTableView>

using namespace Qt::StringLiterals;

namespace sd::ui {

AuditPage::AuditPage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent)
    : ConsolePage(backend, core, parent)
{
    m_model = new AuditTableModel(this);
    buildFrame(m_model);
    m_view->setObjectName(u"auditView"_s);
    m_view->sortByColumn(AuditTableModel::Time, Qt::DescendingOrder);
    m_search->setPlaceholderText(tr("Search actor, subject, detail…"));
    m_filter->addItem(tr("All actions"), QStringList{});
    connect(m_filter, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setStatuses(m_filter->currentData().toStringList()); });
    auto *exportAction =
        addViewAction(u"exportCsvAction"_s, tr("E&xport CSV…"), QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(exportAction, &QAction::triggered, this, &AuditPage::exportWithDialog);
}

void AuditPage::reload()
{
    m_backend->run(
        this, [this] { return m_core.auditLog().list(); },
        [this](const core::Result<core::AuditListing> &loaded) {
            if (!loaded) {
                emit errorOccurred(errorMessage(loaded.error()));
                return;
            }
            const QList<core::AuditEntry> *rows = &loaded->entries;
            m_model->setUserNames(loaded->usernames);
            m_model->setRows(*rows);
            // The action filter offers the actions seen so far, keeping the current choice.
            QStringList actions;
            for (const core::AuditEntry &e : *rows)
                if (!actions.contains(e.action))
                    actions << e.action;
            actions.sort();
            for (const QString &a : std::as_const(actions))
                if (m_filter->findData(QStringList{a}) < 0) {
                    m_filter->addItem(AuditWords::action(a), QStringList{a});
                    m_filter->setItemData(m_filter->count() - 1, a, Qt::ToolTipRole);
                }
            markLoaded();
        });
}

void AuditPage::exportWithDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the audit log"),
                                                      tr("audit-log.csv"), tr("CSV files (*.csv)"));
    if (!path.isEmpty())
        exportCsv(path);
}

void AuditPage::exportCsv(const QString &path)
{
    QList<core::AuditEntry> entries;
    for (int r = 0; r < m_proxy->rowCount(); ++r) {
        const QString id = m_proxy->index(r, 0).data(KeyRole).toString();
        if (const core::AuditEntry *e = m_model->find(id))
            entries << *e;
    }
    const int count = int(entries.size());
    m_backend->run(
        this,
        [entries, path] {
            QSaveFile file(path);
            if (!file.open(QIODevice::WriteOnly))
                return file.errorString();
            file.write(auditLogCsv(entries).toUtf8());
            return file.commit() ? QString() : file.errorString();
        },
        [this, path, count](const QString &error) {
            if (!error.isEmpty())
                emit errorOccurred(tr("Could not write %1: %2").arg(path, error));
            else
                emit info(tr("Exported %n audit entries to %1.", nullptr, count).arg(path));
            emit exported(error.isEmpty());
        });
}

} // namespace sd::ui
