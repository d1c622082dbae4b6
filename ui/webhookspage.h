#pragma once

#include "consolepage.h"
#include "rowtablemodel.h"

#include "webhooks/webhookservice.h"

#include <functional>

class QLabel;
class QPushButton;

namespace sd::core {
class WebhookMonitor;
}

namespace sd::ui {

// Every webhook delivery (API.md "Webhooks"): one event to one URL.
class WebhookTableModel : public RowTableModel<core::WebhookDelivery>
{
    Q_OBJECT
public:
    enum Column
    {
        Created,
        Event,
        Url,
        Status,
        Attempts,
        LastAnswer,
        ColumnCount
    };
    explicit WebhookTableModel(std::function<qint64()> nowMs, QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString statusText(const core::WebhookDelivery &d, qint64 nowMs);
    // The receiver's last answer: "HTTP 500", or why there was none.
    static QString lastAnswerText(const core::WebhookDelivery &d);
    static bool canRetry(const QString &status);

protected:
    QString keyOf(const core::WebhookDelivery &row) const override { return row.id; }

private:
    std::function<qint64()> m_nowMs;
};

// The Webhooks tab: the deliveries with their status, attempts and the receiver's last answer;
// "Retry now" for a dead or waiting one and "Send a test event" (webhook.test to every URL),
// both through core's WebhookService on the console's backend thread. Its status label (for the
// window's status bar) shows the sender's last report, as the mail label does for the outbox.
class WebhooksPage : public ConsolePage
{
    Q_OBJECT
public:
    WebhooksPage(ConsoleBackend *backend, core::CoreServices &core, core::WebhookMonitor *monitor,
                 QWidget *parent = nullptr);
    WebhookTableModel *model() const { return m_model; }
    // For the window's status bar (hidden until the window shows it there).
    QLabel *statusLabel() const { return m_statusLabel; }
    QAction *retryAction() const { return m_retry; }
    QPushButton *testButton() const { return m_test; }

public slots:
    void reload() override;
    void retrySelected();
    void sendTestEvent();

private:
    void updateActions();
    WebhookTableModel *m_model;
    QLabel *m_statusLabel;
    QAction *m_retry = nullptr;
    QPushButton *m_test = nullptr;
};

} // namespace sd::ui
