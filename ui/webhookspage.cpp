#include "webhookspage.h"

#include "consolebackend.h"
#include "consoletablemodels.h"
#include "errormessages.h"
#include "rowfilterproxy.h"

#include "console/webhookmonitor.h"

#include <QAction>
#include <QBrush>
#include <QComboBox>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLayout>
#include <QLocale>
#include <QPushButton>
#include <QTableView>
#include <QTime>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace sd::ui {

// ---- the model

WebhookTableModel::WebhookTableModel(std::function<qint64()> nowMs, QObject *parent)
    : RowTableModel(parent), m_nowMs(std::move(nowMs))
{
}

int WebhookTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool WebhookTableModel::canRetry(const QString &status)
{
    return status == u"dead"_s || status == u"queued"_s; // as WebhookService::retry allows
}

QString WebhookTableModel::statusText(const core::WebhookDelivery &d, qint64 nowMs)
{
    if (d.status == u"delivered"_s)
        return tr("Delivered");
    if (d.status == u"processing"_s)
        return tr("Sending");
    if (d.status == u"dead"_s)
        return tr("Failed for good");
    if (d.attempts == 0 || d.nextAttemptAt <= nowMs)
        return tr("Waiting");
    const qint64 seconds = (d.nextAttemptAt - nowMs + 999) / 1000;
    return tr("Retry in %n s", "a failed delivery is tried again in that many seconds",
              int(qMin<qint64>(seconds, 1'000'000)));
}

QString WebhookTableModel::lastAnswerText(const core::WebhookDelivery &d)
{
    if (d.attempts == 0)
        return {};
    if (!d.lastError.isEmpty())
        return d.lastError;
    return tr("HTTP %1").arg(d.lastStatus);
}

QVariant WebhookTableModel::data(const QModelIndex &index, int role) const
{
    const core::WebhookDelivery *d = rowAt(index.row());
    if (!d || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Created:
            return localTime(d->createdAt);
        case Event:
            return d->eventType;
        case Url:
            // Without user info: a URL may carry a receiver's credentials.
            return QUrl(d->url).adjusted(QUrl::RemoveUserInfo).toString();
        case Status:
            return statusText(*d, m_nowMs());
        case Attempts:
            return d->attempts;
        case LastAnswer:
            return lastAnswerText(*d);
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Attempts)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole:
        if ((index.column() == Status || index.column() == LastAnswer) && d->status == u"dead"_s)
            return QBrush(QColor(0xb0, 0x2a, 0x1e));
        break;
    case KeyRole:
        return d->id;
    case RowStatusRole:
        return d->status;
    case RowSortRole:
        switch (index.column()) {
        case Created:
            return d->createdAt;
        case Attempts:
            return d->attempts;
        default:
            return data(index, Qt::DisplayRole).toString().toLower();
        }
    }
    return {};
}

QVariant WebhookTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Created:
        return tr("Queued", "column header: when the webhook event was queued");
    case Event:
        return tr("Event");
    case Url:
        return tr("URL");
    case Status:
        return tr("Status");
    case Attempts:
        return tr("Attempts");
    case LastAnswer:
        return tr("Last answer");
    }
    return {};
}

// ---- the page

WebhooksPage::WebhooksPage(ConsoleBackend *backend, core::CoreServices &core,
                           core::WebhookMonitor *monitor, QWidget *parent)
    : ConsolePage(backend, core, parent)
{
    const core::Clock *clock = &core.clock();
    m_model = new WebhookTableModel([clock] { return clock->nowMs(); }, this);
    buildFrame(m_model);
    m_view->setObjectName(u"webhooksView"_s);
    m_view->sortByColumn(WebhookTableModel::Created, Qt::DescendingOrder);
    m_filter->addItem(tr("All deliveries"), QStringList{});
    m_filter->addItem(tr("Waiting (queued, sending)"), QStringList{u"queued"_s, u"processing"_s});
    m_filter->addItem(tr("Failed for good"), QStringList{u"dead"_s});
    m_filter->addItem(tr("Delivered"), QStringList{u"delivered"_s});
    connect(m_filter, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setStatuses(m_filter->currentData().toStringList()); });
    m_retry = addViewAction(u"retryWebhookAction"_s, tr("&Retry now"), QKeySequence(Qt::Key_R));
    connect(m_retry, &QAction::triggered, this, &WebhooksPage::retrySelected);
    m_test = new QPushButton(tr("Send a &test event"), m_buttons);
    m_test->setObjectName(u"webhookTestButton"_s);
    m_test->setToolTip(tr("Queues a webhook.test event to every URL of webhooks/urls."));
    m_test->setEnabled(!core.config().webhookUrls.isEmpty());
    m_buttons->layout()->addWidget(m_test);
    connect(m_test, &QPushButton::clicked, this, &WebhooksPage::sendTestEvent);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &WebhooksPage::updateActions);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &WebhooksPage::updateActions);
    updateActions();

    m_statusLabel = new QLabel(
        core.config().webhookUrls.isEmpty() ? tr("Webhooks: off") : tr("Webhooks: idle"), this);
    m_statusLabel->setObjectName(u"webhookStatusLabel"_s);
    m_statusLabel->hide(); // the window shows it in its status bar when URLs are set
    if (monitor) {
        connect(
            monitor, &core::WebhookMonitor::delivered, this,
            [this] {
                m_statusLabel->setText(
                    tr("Webhooks: last delivered %1")
                        .arg(QLocale().toString(QTime::currentTime(), QLocale::ShortFormat)));
                m_statusLabel->setToolTip({});
                scheduleReload();
            },
            Qt::QueuedConnection);
        connect(
            monitor, &core::WebhookMonitor::deliveryFailed, this,
            [this](const QString &, const QString &url, const QString &error, bool dead) {
                // Without user info or query: a URL may carry a receiver's credentials.
                const QString where =
                    QUrl(url).adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery).toString();
                m_statusLabel->setText(
                    dead ? tr("Webhooks: %1 failed for good: %2").arg(where, error)
                         : tr("Webhooks: %1 failing, will retry: %2").arg(where, error));
                m_statusLabel->setToolTip(m_statusLabel->text());
                scheduleReload();
            },
            Qt::QueuedConnection);
    }
}

void WebhooksPage::reload()
{
    m_backend->run(
        this, [this] { return m_core.webhooks().list(); },
        [this](const core::Result<QList<core::WebhookDelivery>> &rows) {
            if (!rows) {
                emit errorOccurred(errorMessage(rows.error()));
                return;
            }
            m_model->setRows(*rows);
            markLoaded();
        });
}

void WebhooksPage::updateActions()
{
    bool retry = false;
    for (const QString &id : selectedKeys())
        if (const core::WebhookDelivery *d = m_model->find(id))
            retry |= WebhookTableModel::canRetry(d->status);
    m_retry->setEnabled(retry);
}

void WebhooksPage::retrySelected()
{
    QStringList ids;
    for (const QString &id : selectedKeys())
        if (const core::WebhookDelivery *d = m_model->find(id);
            d && WebhookTableModel::canRetry(d->status))
            ids << id;
    runForEach(
        actionLabel(m_retry), ids,
        [](core::CoreServices &core, const QString &id) -> core::Result<void> {
            auto r = core.webhooks().retry(id);
            if (!r)
                return std::unexpected(r.error());
            if (!*r) // delivered, being sent or gone since the list was read
                return std::unexpected(core::Error{core::ErrorCode::Conflict, {}, {}, 0});
            return {};
        },
        [](const core::Error &e) {
            return e.code == core::ErrorCode::Conflict
                       ? tr("This delivery changed in the meantime; it may be sending now.")
                       : errorMessage(e);
        },
        [](const QString &) {},
        [this](int n) {
            emit info(tr("%n webhook delivery(s) queued to be sent now.", nullptr, n));
            reload();
        });
}

void WebhooksPage::sendTestEvent()
{
    m_test->setEnabled(false);
    m_backend->run(
        this, [this] { return m_core.webhooks().queueTestEvent(); },
        [this](const core::Result<void> &r) {
            m_test->setEnabled(true);
            if (!r) {
                emit errorOccurred(r.error().code == core::ErrorCode::NotFound
                                       ? tr("No webhook URL is set (webhooks/urls).")
                                       : errorMessage(r.error()));
                return;
            }
            emit info(tr("A test event is queued for every webhook URL."));
            reload();
        });
}

} // namespace sd::ui
