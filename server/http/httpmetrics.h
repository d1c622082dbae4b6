#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <array>
#include <atomic>
#include <memory>

namespace sd::http {

// The HTTP half of /metrics (API.md "Operations"): signupdesk_http_requests_total{route,method,
// status} and signupdesk_http_request_duration_seconds{route}. Routes are known before the
// server takes requests, so each pattern gets a fixed slot; recording is a few relaxed atomic
// increments, with no lock and no allocation after the first answer of a (route, method), so
// it costs the same from one thread or many. Rendering may run beside recording: it reads
// each counter once (a scrape is a consistent-enough snapshot, as Prometheus clients do).
class HttpMetrics
{
public:
    // Upper bounds in seconds: fine around `me` (~1 ms) and login (~25 ms), coarse beyond.
    static constexpr std::array<double, 13> kBuckets = {
        0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};
    static constexpr int kUnmatched = 0; // requests no route answered (404, guard refusals)

    HttpMetrics();
    ~HttpMetrics();
    HttpMetrics(const HttpMetrics &) = delete;
    HttpMetrics &operator=(const HttpMetrics &) = delete;

    // The slot of a route pattern (the same pattern, the same slot). Before requests only.
    int slotFor(const QString &pattern);
    // Any thread. `method` is the request's; `durationNs` from the request read to the answer.
    void record(int slot, const QByteArray &method, int status, qint64 durationNs);
    // The two metric families in Prometheus text format 0.0.4.
    QByteArray render() const;

private:
    static constexpr int kMethods = 8;    // GET HEAD POST PUT PATCH DELETE OPTIONS other
    static constexpr int kStatuses = 500; // 100..599
    struct alignas(64) Slot
    {
        QString pattern;
        // Per method, a lazily made block of counters per status (most routes see one method).
        std::array<std::atomic<std::atomic<quint64> *>, kMethods> byMethod{};
        std::array<std::atomic<quint64>, kBuckets.size() + 1> buckets{}; // last: +Inf
        std::atomic<quint64> count{0};
        std::atomic<quint64> sumNs{0};
    };
    QList<std::shared_ptr<Slot>> m_slots;
};

// Prometheus text helpers shared by the metric families of /metrics.
QByteArray promEscape(const QString &labelValue);
QByteArray promNumber(double value);

// The standard process_* metrics of the Prometheus client libraries, read from /proc.
QByteArray renderProcessMetrics();

} // namespace sd::http
