#include "dashboardpage.h"

#include "consolebackend.h"
#include "errormessages.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHorizontalStackedBarSeries>
#include <QLabel>
#include <QLocale>
#include <QStackedWidget>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sd::ui {

namespace {

const QColor kSignupColour(0x3d, 0x7b, 0xd9);
const QColor kRejectedColour(0xc0, 0x39, 0x2b);
const QColor kVerifyColour(0x2a, 0x9d, 0x8f);

// A count axis that ends on a round number with at most five steps of 1, 2 or 5 × 10^k, so
// its labels are whole numbers.
void setCountRange(QValueAxis *axis, qint64 max)
{
    max = std::max<qint64>(max, 1);
    qint64 step = 1;
    for (qint64 magnitude = 1; step * 5 < max; magnitude *= 10) {
        for (qint64 m : {1, 2, 5}) {
            step = m * magnitude;
            if (step * 5 >= max)
                break;
        }
    }
    const qint64 top = (max + step - 1) / step * step;
    axis->setRange(0, qreal(top));
    axis->setTickCount(int(top / step) + 1);
    axis->setLabelFormat(u"%d"_s);
}

QChart *newChart(const QString &title)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    QFont font = chart->titleFont();
    font.setBold(true);
    chart->setTitleFont(font);
    chart->legend()->hide();
    chart->setBackgroundRoundness(0);
    chart->setMargins(QMargins(4, 4, 4, 4));
    return chart;
}

QChartView *newView(QChart *chart, QWidget *parent)
{
    auto *view = new QChartView(chart, parent); // takes the chart
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(180);
    return view;
}

// Removes and deletes the chart's axes, before new ones are attached.
void dropAxes(QChart *chart)
{
    const QList<QAbstractAxis *> axes = chart->axes();
    for (QAbstractAxis *axis : axes) {
        chart->removeAxis(axis);
        delete axis;
    }
}

QString number(qint64 n)
{
    return QLocale().toString(qlonglong(n));
}

QString percent(qint64 part, qint64 whole)
{
    const double value = whole > 0 ? 100.0 * double(part) / double(whole) : 0.0;
    return DashboardPage::tr("%1%", "a percentage").arg(QLocale().toString(value, 'f', 0));
}

// 42 s, 12 min 30 s, 3 h 5 min, 2 d 4 h: the two largest units, rounded to the second.
QString duration(qint64 ms)
{
    const qint64 s = (ms + 500) / 1000;
    if (s < 60)
        return DashboardPage::tr("%1 s").arg(s);
    const qint64 m = s / 60, h = m / 60, d = h / 24;
    if (m < 60)
        return s % 60 ? DashboardPage::tr("%1 min %2 s").arg(m).arg(s % 60)
                      : DashboardPage::tr("%1 min").arg(m);
    if (h < 24)
        return m % 60 ? DashboardPage::tr("%1 h %2 min").arg(h).arg(m % 60)
                      : DashboardPage::tr("%1 h").arg(h);
    return h % 24 ? DashboardPage::tr("%1 d %2 h").arg(d).arg(h % 24)
                  : DashboardPage::tr("%1 d").arg(d);
}

// A bucket edge (a whole number of minutes, hours or days) as a number and its unit in ms.
std::pair<qint64, qint64> edge(qint64 ms)
{
    constexpr qint64 kMinute = 60'000, kHour = 60 * kMinute, kDay = 24 * kHour;
    for (qint64 unit : {kDay, kHour})
        if (ms > 0 && ms % unit == 0)
            return {ms / unit, unit};
    return {ms / kMinute, kMinute};
}

QString unitName(qint64 unitMs)
{
    if (unitMs >= 24 * 3'600'000)
        return DashboardPage::tr("d", "unit: days");
    if (unitMs >= 3'600'000)
        return DashboardPage::tr("h", "unit: hours");
    return DashboardPage::tr("min", "unit: minutes");
}

// 0–5 min, 15–60 min, 6–24 h, ≥ 2 d: short, for the axis under the bars. (Never "<": axis
// labels are rich text.)
QString bucketLabel(const core::DurationBucket &b)
{
    if (b.toMs == 0) {
        const auto [from, unit] = edge(b.fromMs);
        return DashboardPage::tr("≥ %1 %2", "at least a duration").arg(from).arg(unitName(unit));
    }
    // Both ends in the unit of the lower one when that reads well (15–60 min), else each in
    // its own (15 min–2 h).
    const auto [from, unit] =
        b.fromMs == 0 ? std::pair{qint64(0), edge(b.toMs).second} : edge(b.fromMs);
    if (b.toMs % unit == 0 && b.toMs / unit <= 60)
        return DashboardPage::tr("%1–%2 %3", "a range of durations in one unit")
            .arg(from)
            .arg(b.toMs / unit)
            .arg(unitName(unit));
    const auto [to, toUnit] = edge(b.toMs);
    return DashboardPage::tr("%1 %2–%3 %4", "a range of durations")
        .arg(from)
        .arg(unitName(unit))
        .arg(to)
        .arg(unitName(toUnit));
}

// Seven labels under a half-width chart do not fit on one line at 1024 px: a range on two
// ("15–<br>60 min" would read badly, so "15–60<br>min" and "15 min–<br>2 h"). Axis labels are
// rich text.
QString twoLines(const QString &label)
{
    // Spaces as translations write them too: "15–60\u00a0min", "15\u00a0min – 2\u00a0h".
    const auto isSpace = [](QChar c) { return c.isSpace() || c == QChar(0x202f); };
    const qsizetype dash = label.indexOf(u'–');
    if (dash < 0)
        return label;
    const QString left = label.left(dash).trimmed();
    if (std::any_of(left.cbegin(), left.cend(), isSpace)) // "15 min–2 h": each end its unit
        return label.left(dash + 1) + u"<br>"_s + label.mid(dash + 1).trimmed();
    for (qsizetype i = label.size() - 1; i > dash; --i)
        if (isSpace(label.at(i)))
            return label.left(i) + u"<br>"_s + label.mid(i + 1);
    return label;
}

} // namespace

DashboardPage::DashboardPage(core::CoreServices &core, QWidget *parent)
    : QWidget(parent), m_core(core), m_backend(new ConsoleBackend(core, this))
{
    buildUi();

    m_throttle.setSingleShot(true);
    connect(&m_throttle, &QTimer::timeout, this, [this] {
        if (m_stale && !m_inFlight && isVisible())
            startLoad();
    });
    // Past midnight the days move on, even when nothing else happens.
    m_dayTimer.setInterval(60'000);
    connect(&m_dayTimer, &QTimer::timeout, this, [this] {
        const QDate today =
            QDateTime::fromMSecsSinceEpoch(m_core.clock().nowMs(), QTimeZone::systemTimeZone())
                .date();
        if (m_loaded && today != m_stats.lastDay)
            scheduleReload();
    });
    m_dayTimer.start();

    // Core emits from worker threads: queued, so the page reloads here (only while shown).
    core::Events &events = core.events();
    for (auto signal : {&core::Events::signupCreated, &core::Events::emailVerified,
                        &core::Events::signupApproved, &core::Events::signupRejected})
        connect(&events, signal, this, &DashboardPage::scheduleReload, Qt::QueuedConnection);
    connect(&events, &core::Events::remoteEventsMissed, this, &DashboardPage::scheduleReload,
            Qt::QueuedConnection);
}

void DashboardPage::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    auto *row = new QHBoxLayout;
    m_range = new QComboBox(this);
    m_range->setObjectName(u"dashboardRange"_s);
    m_range->addItem(tr("Last 7 days"), 7);
    m_range->addItem(tr("Last 30 days"), 30);
    m_range->addItem(tr("Last 90 days"), 90);
    m_range->setCurrentIndex(1);
    connect(m_range, &QComboBox::currentIndexChanged, this, &DashboardPage::reload);
    auto *rangeLabel = new QLabel(tr("&Range:"), this);
    rangeLabel->setBuddy(m_range);
    m_summary = new QLabel(this);
    m_summary->setObjectName(u"dashboardSummary"_s);
    m_summary->setTextFormat(Qt::PlainText);
    row->addWidget(rangeLabel);
    row->addWidget(m_range);
    row->addSpacing(12);
    row->addWidget(m_summary, 1);
    layout->addLayout(row);

    m_stack = new QStackedWidget(this);
    m_empty = new QLabel(tr("Loading…"), m_stack);
    m_empty->setObjectName(u"dashboardEmpty"_s);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setTextFormat(Qt::PlainText);
    QFont font = m_empty->font();
    font.setPointSizeF(font.pointSizeF() * 1.3);
    m_empty->setFont(font);
    m_empty->setStyleSheet(u"color: #555;"_s);
    m_stack->addWidget(m_empty);

    m_charts = new QWidget(m_stack);
    auto *grid = new QGridLayout(m_charts);
    grid->setContentsMargins(0, 0, 0, 0);

    m_perDayChart = newChart(tr("Signups per day"));
    m_perDaySet = new QBarSet(tr("Signups"));
    m_perDaySet->setColor(kSignupColour);
    auto *perDay = new QBarSeries;
    perDay->setBarWidth(0.8);
    perDay->append(m_perDaySet);
    m_perDayChart->addSeries(perDay);
    connect(perDay, &QBarSeries::hovered, this, [this](bool on, int index) {
        if (!on || index < 0 || index >= m_stats.perDay.size()) {
            QToolTip::hideText();
            return;
        }
        const core::DayCount &d = m_stats.perDay.at(index);
        QToolTip::showText(QCursor::pos(),
                           tr("%1: %n signup(s)", nullptr, int(d.signups))
                               .arg(QLocale().toString(d.day, QLocale::LongFormat)));
    });
    grid->addWidget(newView(m_perDayChart, m_charts), 0, 0, 1, 2);

    // Bottom to top, so that the funnel reads from the top: signed up, verified, approved; and
    // rejected under it, in red.
    m_funnelChart = newChart(tr("From signup to approval"));
    m_funnelSet = new QBarSet(tr("Signups"));
    m_funnelSet->setColor(kSignupColour);
    m_rejectedSet = new QBarSet(tr("Rejected"));
    m_rejectedSet->setColor(kRejectedColour);
    for (int i = 0; i < 4; ++i) {
        m_funnelSet->append(0);
        m_rejectedSet->append(0);
    }
    auto *funnel = new QHorizontalStackedBarSeries;
    funnel->setBarWidth(0.7);
    funnel->append(m_funnelSet);
    funnel->append(m_rejectedSet);
    m_funnelChart->addSeries(funnel);
    m_funnelLabel = new QLabel(m_charts);
    m_funnelLabel->setObjectName(u"funnelText"_s);
    m_funnelLabel->setWordWrap(true);
    m_funnelLabel->setTextFormat(Qt::PlainText);
    grid->addWidget(newView(m_funnelChart, m_charts), 1, 0);
    grid->addWidget(m_funnelLabel, 2, 0);

    m_verifyChart = newChart(tr("Time to verify the email"));
    m_verifySet = new QBarSet(tr("Signups"));
    m_verifySet->setColor(kVerifyColour);
    for (qsizetype i = 0; i < core::DashboardService::histogramEdgesMs().size(); ++i)
        m_verifySet->append(0);
    auto *verify = new QBarSeries;
    verify->setBarWidth(0.8);
    verify->append(m_verifySet);
    m_verifyChart->addSeries(verify);
    m_verifyLabel = new QLabel(m_charts);
    m_verifyLabel->setObjectName(u"verifyTimeText"_s);
    m_verifyLabel->setWordWrap(true);
    m_verifyLabel->setTextFormat(Qt::PlainText);
    grid->addWidget(newView(m_verifyChart, m_charts), 1, 1);
    grid->addWidget(m_verifyLabel, 2, 1);
    grid->setRowStretch(0, 3);
    grid->setRowStretch(1, 2);
    m_stack->addWidget(m_charts);

    layout->addWidget(m_stack, 1);
}

int DashboardPage::rangeDays() const
{
    return m_range->currentData().toInt();
}

bool DashboardPage::isShowingEmptyState() const
{
    return m_loaded && m_stack->currentWidget() == m_empty;
}

QString DashboardPage::funnelText() const
{
    return m_funnelLabel->text();
}

QString DashboardPage::verifyTimeText() const
{
    return m_verifyLabel->text();
}

QString DashboardPage::emptyStateText() const
{
    return m_empty->text();
}

void DashboardPage::reload()
{
    m_stale = true;
    m_urgent = true;
    pump();
}

void DashboardPage::scheduleReload()
{
    m_stale = true;
    pump();
}

void DashboardPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    pump();
}

void DashboardPage::pump()
{
    if (!m_stale || m_inFlight || !isVisible())
        return;
    if (m_urgent) {
        m_throttle.stop();
        startLoad();
        return;
    }
    if (m_throttle.isActive())
        return;
    // A timer even when no wait is due: the rest of a burst of events arrives first.
    const qint64 since = m_sinceLoad.isValid() ? m_sinceLoad.elapsed() : kMinReloadInterval.count();
    m_throttle.start(int(std::max<qint64>(0, kMinReloadInterval.count() - since)));
}

void DashboardPage::startLoad()
{
    m_stale = false;
    m_urgent = false;
    m_inFlight = true;
    m_sinceLoad.start();
    ++m_loadCount;
    const int days = rangeDays();
    core::CoreServices *core = &m_core;
    m_backend->run(
        this, [core, days] { return core->dashboard().stats(days); },
        [this](const core::Result<core::DashboardStats> &stats) {
            m_inFlight = false;
            if (!stats) {
                emit errorOccurred(errorMessage(stats.error()));
            } else if (stats->days == rangeDays()) {
                apply(*stats);
                emit loaded();
            }
            pump(); // what changed meanwhile (a new range, more events)
        });
}

void DashboardPage::apply(const core::DashboardStats &stats)
{
    m_stats = stats;
    m_loaded = true;
    const QLocale locale;
    m_summary->setText(tr("%n signup(s) from %1 to %2", nullptr, int(stats.funnel.signups))
                           .arg(locale.toString(stats.firstDay, QLocale::ShortFormat),
                                locale.toString(stats.lastDay, QLocale::ShortFormat)));
    if (stats.isEmpty()) {
        m_empty->setText(tr("No one signed up in the last %n day(s).", nullptr, stats.days) +
                         u"\n"_s +
                         tr("The charts appear with the first signup and follow new ones live."));
        m_stack->setCurrentWidget(m_empty);
        return;
    }
    applyPerDay(stats);
    applyFunnel(stats);
    applyVerifyTimes(stats);
    m_stack->setCurrentWidget(m_charts);
}

void DashboardPage::applyPerDay(const core::DashboardStats &stats)
{
    const qsizetype n = stats.perDay.size();
    QList<qreal> values;
    qint64 max = 0;
    for (const core::DayCount &d : stats.perDay) {
        values << qreal(d.signups);
        max = std::max(max, d.signups);
    }
    m_perDaySet->remove(0, m_perDaySet->count());
    m_perDaySet->append(values);

    // Bars stand on 0 … n-1; about ten dates label them, always today's.
    dropAxes(m_perDayChart);
    auto *x = new QCategoryAxis;
    x->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    x->setGridLineVisible(false);
    x->setStartValue(-0.5);
    x->setRange(-0.5, qreal(n) - 0.5);
    const qsizetype every = std::max<qsizetype>(1, (n + 9) / 10);
    const QLocale locale;
    for (qsizetype i = (n - 1) % every; i < n; i += every)
        x->append(
            locale.toString(stats.perDay.at(i).day, tr("d MMM", "date format of the day labels")),
            qreal(i));
    auto *y = new QValueAxis;
    setCountRange(y, max);
    QAbstractSeries *series = m_perDayChart->series().constFirst();
    m_perDayChart->addAxis(x, Qt::AlignBottom);
    m_perDayChart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
}

void DashboardPage::applyFunnel(const core::DashboardStats &stats)
{
    const core::SignupFunnel &f = stats.funnel;
    m_funnelSet->replace(0, 0);
    m_funnelSet->replace(1, qreal(f.approved));
    m_funnelSet->replace(2, qreal(f.verified));
    m_funnelSet->replace(3, qreal(f.signups));
    m_rejectedSet->replace(0, qreal(f.rejected));

    dropAxes(m_funnelChart);
    auto *stages = new QBarCategoryAxis;
    stages->append({tr("Rejected: %1 (%2)").arg(number(f.rejected), percent(f.rejected, f.signups)),
                    tr("Approved: %1 (%2)").arg(number(f.approved), percent(f.approved, f.signups)),
                    tr("Verified: %1 (%2)").arg(number(f.verified), percent(f.verified, f.signups)),
                    tr("Signed up: %1").arg(number(f.signups))});
    auto *counts = new QValueAxis;
    setCountRange(counts, f.signups);
    QAbstractSeries *series = m_funnelChart->series().constFirst();
    m_funnelChart->addAxis(stages, Qt::AlignLeft);
    m_funnelChart->addAxis(counts, Qt::AlignBottom);
    series->attachAxis(stages);
    series->attachAxis(counts);

    m_funnelLabel->setText(
        tr("Of %n signup(s): %1 verified (%2), %3 approved (%4), %5 rejected (%6).", nullptr,
           int(f.signups))
            .arg(number(f.verified), percent(f.verified, f.signups), number(f.approved),
                 percent(f.approved, f.signups), number(f.rejected),
                 percent(f.rejected, f.signups)));
}

void DashboardPage::applyVerifyTimes(const core::DashboardStats &stats)
{
    const core::VerifyTimes &t = stats.timeToVerify;
    QStringList labels;
    qint64 max = 0;
    for (qsizetype i = 0; i < t.histogram.size() && i < m_verifySet->count(); ++i) {
        m_verifySet->replace(int(i), qreal(t.histogram.at(i).count));
        labels << twoLines(bucketLabel(t.histogram.at(i)));
        max = std::max(max, t.histogram.at(i).count);
    }
    dropAxes(m_verifyChart);
    auto *x = new QBarCategoryAxis;
    x->append(labels);
    QFont font = x->labelsFont(); // seven labels under a half-width chart
    font.setPointSizeF(font.pointSizeF() * 0.85);
    x->setLabelsFont(font);
    auto *y = new QValueAxis;
    setCountRange(y, max);
    QAbstractSeries *series = m_verifyChart->series().constFirst();
    m_verifyChart->addAxis(x, Qt::AlignBottom);
    m_verifyChart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);

    m_verifyLabel->setText(
        t.count == 0 ? tr("No signup of this range has verified its email yet.")
                     : tr("Median %1, 90th percentile %2 (%n signup(s) verified by link or code).",
                          nullptr, int(t.count))
                           .arg(duration(t.medianMs), duration(t.p90Ms)));
}

} // namespace sd::ui
