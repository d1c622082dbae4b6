#include "httpmetrics.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLocale>

#include <sys/resource.h>
#include <unistd.h>

#include <cmath>

using namespace Qt::StringLiterals;

namespace sd::http {

namespace {

constexpr std::array<const char *, 8> kMethodNames = {"GET",   "HEAD",   "POST",    "PUT",
                                                      "PATCH", "DELETE", "OPTIONS", "other"};

int methodIndex(const QByteArray &method)
{
    for (int i = 0; i < 7; ++i)
        if (method == kMethodNames[size_t(i)])
            return i;
    return 7;
}

} // namespace

QByteArray promEscape(const QString &labelValue)
{
    QByteArray out;
    for (const char c : labelValue.toUtf8()) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QByteArray promNumber(double value)
{
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    return QByteArray::number(value, 'f', QLocale::FloatingPointShortest); // "0.0005", not "5e-04"
}

HttpMetrics::HttpMetrics()
{
    slotFor(u"unmatched"_s);
}

HttpMetrics::~HttpMetrics()
{
    for (const auto &slot : std::as_const(m_slots))
        for (auto &block : slot->byMethod)
            delete[] block.load();
}

int HttpMetrics::slotFor(const QString &pattern)
{
    for (qsizetype i = 0; i < m_slots.size(); ++i)
        if (m_slots.at(i)->pattern == pattern)
            return int(i);
    auto slot = std::make_shared<Slot>();
    slot->pattern = pattern;
    m_slots.append(slot);
    return int(m_slots.size() - 1);
}

void HttpMetrics::record(int slotIndex, const QByteArray &method, int status, qint64 durationNs)
{
    Slot &slot = *m_slots.at(slotIndex < m_slots.size() ? slotIndex : kUnmatched);
    auto &blockRef = slot.byMethod[size_t(methodIndex(method))];
    std::atomic<quint64> *block = blockRef.load(std::memory_order_acquire);
    if (!block) { // the first answer of this (route, method): make its block, once
        auto *made = new std::atomic<quint64>[kStatuses]();
        if (blockRef.compare_exchange_strong(block, made, std::memory_order_acq_rel))
            block = made;
        else
            delete[] made; // another thread won; `block` now holds its block
    }
    const int statusIndex = qBound(0, status - 100, kStatuses - 1);
    block[statusIndex].fetch_add(1, std::memory_order_relaxed);

    const double seconds = double(durationNs) / 1e9;
    size_t bucket = 0;
    while (bucket < kBuckets.size() && seconds > kBuckets[bucket])
        ++bucket;
    slot.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
    slot.sumNs.fetch_add(quint64(qMax<qint64>(0, durationNs)), std::memory_order_relaxed);
    slot.count.fetch_add(1, std::memory_order_relaxed);
}

QByteArray HttpMetrics::render() const
{
    QByteArray out;
    out += "# HELP signupdesk_http_requests_total HTTP answers, by route pattern, method and "
           "status.\n# TYPE signupdesk_http_requests_total counter\n";
    for (const auto &slot : m_slots) {
        const QByteArray route = promEscape(slot->pattern);
        for (size_t m = 0; m < kMethodNames.size(); ++m) {
            const std::atomic<quint64> *block = slot->byMethod[m].load(std::memory_order_acquire);
            if (!block)
                continue;
            for (int s = 0; s < kStatuses; ++s) {
                const quint64 n = block[s].load(std::memory_order_relaxed);
                if (n == 0)
                    continue;
                out += "signupdesk_http_requests_total{route=\"" + route + "\",method=\"" +
                       kMethodNames[m] + "\",status=\"" + QByteArray::number(s + 100) + "\"} " +
                       QByteArray::number(n) + '\n';
            }
        }
    }
    out += "# HELP signupdesk_http_request_duration_seconds Time from reading a request to "
           "writing its answer, by route pattern.\n"
           "# TYPE signupdesk_http_request_duration_seconds histogram\n";
    for (const auto &slot : m_slots) {
        const quint64 count = slot->count.load(std::memory_order_relaxed);
        if (count == 0)
            continue;
        const QByteArray route = promEscape(slot->pattern);
        quint64 cumulative = 0;
        for (size_t b = 0; b <= kBuckets.size(); ++b) {
            cumulative += slot->buckets[b].load(std::memory_order_relaxed);
            const QByteArray le = b < kBuckets.size() ? promNumber(kBuckets[b]) : "+Inf";
            out += "signupdesk_http_request_duration_seconds_bucket{route=\"" + route + "\",le=\"" +
                   le + "\"} " + QByteArray::number(cumulative) + '\n';
        }
        // _count equals the +Inf bucket, as the format requires, whatever raced meanwhile.
        out += "signupdesk_http_request_duration_seconds_sum{route=\"" + route + "\"} " +
               promNumber(double(slot->sumNs.load(std::memory_order_relaxed)) / 1e9) + '\n';
        out += "signupdesk_http_request_duration_seconds_count{route=\"" + route + "\"} " +
               QByteArray::number(cumulative) + '\n';
    }
    return out;
}

QByteArray renderProcessMetrics()
{
    QByteArray out;
    const auto gauge = [&out](const char *name, const char *help, const char *type, double value) {
        out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n' +
               name + ' ' + promNumber(value) + '\n';
    };
    const double ticks = double(::sysconf(_SC_CLK_TCK));
    const double pageSize = double(::sysconf(_SC_PAGESIZE));
    QFile statFile(u"/proc/self/stat"_s);
    if (statFile.open(QIODevice::ReadOnly)) {
        // Fields after the command name, which is in parentheses and may hold spaces.
        const QByteArray stat = statFile.readAll();
        const QList<QByteArray> f = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        if (f.size() > 22) {
            const double cpu = (f.at(11).toDouble() + f.at(12).toDouble()) / ticks; // utime+stime
            gauge("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                  "counter", cpu);
            QFile uptime(u"/proc/uptime"_s);
            if (uptime.open(QIODevice::ReadOnly)) {
                const double up = uptime.readAll().split(' ').value(0).toDouble();
                const double startedAgo = up - f.at(19).toDouble() / ticks; // starttime
                gauge("process_start_time_seconds",
                      "Start time of the process since unix epoch in seconds.", "gauge",
                      std::floor(double(QDateTime::currentMSecsSinceEpoch()) / 1000 - startedAgo));
            }
            gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge",
                  f.at(20).toDouble());
            gauge("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge",
                  f.at(21).toDouble() * pageSize);
        }
    }
    const qsizetype fds = QDir(u"/proc/self/fd"_s)
                              .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System)
                              .size();
    gauge("process_open_fds", "Number of open file descriptors.", "gauge", double(fds));
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0)
        gauge("process_max_fds", "Maximum number of open file descriptors.", "gauge",
              double(limit.rlim_cur));
    return out;
}

} // namespace sd::http
