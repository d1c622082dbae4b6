#include "outboxpage.h"

#include "consolebackend.h"
#include "consoletablemodels.h"
#include "errormessages.h"
#include "rowfilterproxy.h"

#include "localactor.h"

#include <QAction>
#include <QComboBox>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTableView>

using namespace Qt::StringLiterals;

namespace sd::ui {

namespace {

// The person at this console, as the audit log records it ("console:alice").
const core::Actor kConsole = core::localActor(u"console"_s);

} // namespace

OutboxPage::OutboxPage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent)
    : ConsolePage(backend, core, parent)
{
    const core::Clock *clock = &core.clock();
    m_model = new OutboxTableModel([clock] { return clock->nowMs(); }, this);
    m_preview = new QPlainTextEdit(this);
    m_preview->setObjectName(u"outboxPreview"_s);
    m_preview->setReadOnly(true);
    m_preview->setFocusPolicy(Qt::ClickFocus);
    m_preview->setPlaceholderText(tr("Select an email to see its preview."));
    buildFrame(m_model, m_preview);
    m_view->setObjectName(u"outboxView"_s);
    m_view->sortByColumn(OutboxTableModel::Created, Qt::DescendingOrder);
    m_filter->addItem(tr("All emails"), QStringList{});
    m_filter->addItem(tr("Waiting (queued, sending)"), QStringList{u"queued"_s, u"processing"_s});
    m_filter->addItem(tr("Failed for good"), QStringList{u"dead"_s});
    m_filter->addItem(tr("Held"), QStringList{u"held"_s});
    m_filter->addItem(tr("Sent"), QStringList{u"sent"_s});
    connect(m_filter, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setStatuses(m_filter->currentData().toStringList()); });
    m_retry = addViewAction(u"retryMailAction"_s, tr("&Retry now"), QKeySequence(Qt::Key_R));
    m_hold = addViewAction(u"holdMailAction"_s, tr("&Hold"), QKeySequence(Qt::Key_H));
    connect(m_retry, &QAction::triggered, this, &OutboxPage::retrySelected);
    connect(m_hold, &QAction::triggered, this, &OutboxPage::holdSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        updatePreview();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &OutboxPage::updatePreview);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this] {
        updateActions();
        updatePreview();
    });
    updateActions();
}

QString OutboxPage::previewText() const
{
    return m_preview->toPlainText();
}

void OutboxPage::reload()
{
    m_backend->run(
        this, [this] { return m_core.outboxAdmin().list(); },
        [this](const core::Result<QList<core::OutboxEntry>> &rows) {
            if (!rows) {
                emit errorOccurred(errorMessage(rows.error()));
                return;
            }
            m_model->setRows(*rows);
            markLoaded();
        });
}

void OutboxPage::updateActions()
{
    bool retry = false, hold = false;
    for (const QString &id : selectedKeys()) {
        if (const core::OutboxEntry *e = m_model->find(id)) {
            retry |= OutboxTableModel::canRetry(e->status);
            hold |= OutboxTableModel::canHold(e->status);
        }
    }
    m_retry->setEnabled(retry);
    m_hold->setEnabled(hold);
}

void OutboxPage::updatePreview()
{
    const QString id = m_view->selectionModel()->currentIndex().data(KeyRole).toString();
    const core::OutboxEntry *e = m_model->find(id);
    const QString text = e ? OutboxTableModel::preview(*e, m_core.clock().nowMs()) : QString();
    if (text != m_preview->toPlainText())
        m_preview->setPlainText(text);
}

namespace {

QString mailError(const core::Error &e)
{
    switch (e.code) {
    case core::ErrorCode::NotFound:
        return OutboxPage::tr("This email no longer exists.");
    case core::ErrorCode::Conflict:
        return OutboxPage::tr("This email changed in the meantime (%1); it may be sending now.")
            .arg(e.detail);
    default:
        return errorMessage(e);
    }
}

} // namespace

void OutboxPage::retrySelected()
{
    QStringList ids;
    for (const QString &id : selectedKeys())
        if (const core::OutboxEntry *e = m_model->find(id);
            e && OutboxTableModel::canRetry(e->status))
            ids << id;
    runForEach(
        actionLabel(m_retry), ids,
        BulkRunner::ignoringValue([](core::CoreServices &core, const QString &id) {
            return core.outboxAdmin().retry(id, kConsole);
        }),
        mailError, [](const QString &) {},
        [this](int n) {
            emit info(tr("%n email(s) queued to be sent now.", nullptr, n));
            reload();
        });
}

void OutboxPage::holdSelected()
{
    QStringList ids;
    for (const QString &id : selectedKeys())
        if (const core::OutboxEntry *e = m_model->find(id);
            e && OutboxTableModel::canHold(e->status))
            ids << id;
    runForEach(
        actionLabel(m_hold), ids,
        BulkRunner::ignoringValue([](core::CoreServices &core, const QString &id) {
            return core.outboxAdmin().hold(id, kConsole);
        }),
        mailError, [](const QString &) {},
        [this](int n) {
            emit info(tr("%n email(s) held; Retry sends them.", nullptr, n));
            reload();
        });
}

} // namespace sd::ui
