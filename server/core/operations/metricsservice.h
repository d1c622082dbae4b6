#pragma once

#include "result.h"

#include <QHash>
#include <QList>
#include <QString>

namespace sd::core {

struct Context;

// What /metrics reports from core (API.md "Operations"): rows by status in the database (so
// every instance on one database reports the same totals) and this instance's counters.
struct MetricsSnapshot
{
    QList<std::pair<QString, qint64>> accounts;          // by status
    QList<std::pair<QString, qint64>> outboxMessages;    // by status
    QList<std::pair<QString, qint64>> webhookDeliveries; // by status
    QHash<QString, quint64> rateLimitRejections;         // by rule, since this instance started
    qint64 passwordHashQueue = 0; // password hashes running or waiting on this instance
};

class MetricsService
{
public:
    explicit MetricsService(const Context &context) : m_ctx(context) {}
    // Reads the database: call it on a worker thread.
    Result<MetricsSnapshot> snapshot() const;

private:
    const Context &m_ctx;
};

} // namespace sd::core
