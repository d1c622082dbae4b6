#include "timelinepane.h"

#include "consolebackend.h"
#include "errormessages.h"
#include "signuptablemodel.h"
#include "tablecolumns.h"
#include "timelinemodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace sd::ui {

TimelinePane::TimelinePane(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent)
    : QWidget(parent), m_backend(backend), m_core(core), m_model(new TimelineModel(this))
{
    auto *detailLayout = new QVBoxLayout(this);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    m_header = new QLabel(tr("Select a signup to see its timeline."), this);
    m_header->setWordWrap(true);
    m_header->setTextFormat(Qt::PlainText);
    m_header->setObjectName(u"detailHeader"_s);
    m_view = new QTableView(this);
    m_view->setObjectName(u"timelineView"_s);
    m_view->setModel(m_model);
    m_view->setFocusPolicy(Qt::ClickFocus);
    m_view->verticalHeader()->hide();
    const int rowHeight = m_view->fontMetrics().height() + 8;
    m_view->verticalHeader()->setDefaultSectionSize(rowHeight);
    m_view->setWordWrap(false); // one line per event; a cut cell's tooltip has the whole text
    m_view->setItemDelegate(new CutCellTips(m_view));
    m_view->setAlternatingRowColors(true);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    detailLayout->addWidget(m_header);
    detailLayout->addWidget(m_view, 1);
}

QString TimelinePane::headerText() const
{
    return m_header->text();
}

void TimelinePane::clear()
{
    m_userId.clear();
    m_model->clear();
    m_header->setText(tr("Select a signup to see its timeline."));
}

void TimelinePane::showSignup(const core::SignupOverviewRow &row)
{
    const core::Account &a = row.account;
    const QString userId = a.id;
    if (userId != m_userId)
        m_model->clear(); // never the last signup's events under this one's header
    m_userId = userId;
    m_header->setText(tr("%1 <%2>%3\n%4, signed up from %5")
                          .arg(a.username, a.email,
                               a.displayName.isEmpty() ? QString() : u" — "_s + a.displayName,
                               SignupTableModel::statusText(a.status),
                               a.remoteIp.isEmpty() ? tr("an unknown address") : a.remoteIp));
    m_backend->run(
        this, [this, userId] { return m_core.signupOverview().timeline(userId); },
        [this, userId](const core::Result<QList<core::TimelineEntry>> &entries) {
            if (m_userId != userId)
                return; // another signup (or none) is shown by now
            if (!entries) {
                emit errorOccurred(errorMessage(entries.error()));
                return;
            }
            m_model->setTimeline(userId, *entries);
            m_view->resizeColumnsToContents();
        });
}

} // namespace sd::ui
