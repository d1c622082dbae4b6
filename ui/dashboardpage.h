#pragma once

#include "console/dashboardservice.h"
#include "coreservices.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

#include <chrono>

class QBarSet;
class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QStackedWidget;

namespace sd::ui {

class ConsoleBackend;

// The Dashboard tab: signups per day over the last 7, 30 or 90 days, the signup → verified →
// approved funnel (with rejections) and the time to verify, from core's DashboardService on
// a thread of its own (a ConsoleBackend of its own: with a large audit log a load takes a
// while, and the other tabs' jobs need not wait behind it), in the system's time zone. It loads
// when shown and, on core events, reloads at most once per second while shown (a hidden tab
// only notes that it is stale). With no signup in the range it shows a short explanation
// instead of empty charts.
class DashboardPage : public QWidget
{
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds kMinReloadInterval{1000};

    explicit DashboardPage(core::CoreServices &core, QWidget *parent = nullptr);

    // For tests and screenshots.
    QComboBox *rangeSelector() const { return m_range; }
    int rangeDays() const;
    bool isLoaded() const { return m_loaded; }
    int loadCount() const { return m_loadCount; }
    // A load is running, due, or waiting for the tab to be shown.
    bool isReloadPending() const { return m_stale || m_inFlight || m_throttle.isActive(); }
    bool isShowingEmptyState() const;
    const core::DashboardStats &stats() const { return m_stats; }
    QBarSet *signupsPerDaySet() const { return m_perDaySet; }
    // The funnel's bars, bottom to top: rejected, approved, verified, signed up. The first set
    // holds the last three (0 for rejected), the second only rejected.
    QBarSet *funnelSet() const { return m_funnelSet; }
    QBarSet *rejectedSet() const { return m_rejectedSet; }
    QBarSet *verifyTimeSet() const { return m_verifySet; }
    QString funnelText() const;
    QString verifyTimeText() const;
    QString emptyStateText() const;

public slots:
    // Loads now (once the tab is shown).
    void reload();
    // Something changed in core: reload soon, at most once per kMinReloadInterval, or when
    // next shown.
    void scheduleReload();

signals:
    // After every load that was shown.
    void loaded();
    void errorOccurred(const QString &message);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void buildUi();
    void pump();
    void startLoad();
    void apply(const core::DashboardStats &stats);
    void applyPerDay(const core::DashboardStats &stats);
    void applyFunnel(const core::DashboardStats &stats);
    void applyVerifyTimes(const core::DashboardStats &stats);

    core::CoreServices &m_core;
    ConsoleBackend *m_backend; // a child: finishes its job, then stops, with the page
    core::DashboardStats m_stats;

    QComboBox *m_range = nullptr;
    QLabel *m_summary = nullptr;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_empty = nullptr;
    QWidget *m_charts = nullptr;
    QChart *m_perDayChart = nullptr;
    QChart *m_funnelChart = nullptr;
    QChart *m_verifyChart = nullptr;
    QBarSet *m_perDaySet = nullptr;
    QBarSet *m_funnelSet = nullptr;
    QBarSet *m_rejectedSet = nullptr;
    QBarSet *m_verifySet = nullptr;
    QLabel *m_funnelLabel = nullptr;
    QLabel *m_verifyLabel = nullptr;

    QTimer m_throttle;
    QTimer m_dayTimer;
    QElapsedTimer m_sinceLoad;
    bool m_stale = true;
    bool m_urgent = true; // the next load goes at once (first show, a new range)
    bool m_inFlight = false;
    bool m_loaded = false;
    int m_loadCount = 0;
};

} // namespace sd::ui
