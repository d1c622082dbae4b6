#include "operationsroutes.h"

#include "errormapping.h"

#include <QFile>

using namespace Qt::StringLiterals;

namespace sd::http {

namespace {

QByteArray gaugeByLabel(const char *name, const char *help, const char *label,
                        const QList<std::pair<QString, qint64>> &values)
{
    QByteArray out = QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + " gauge\n";
    for (const auto &[value, count] : values)
        out += QByteArray(name) + '{' + label + "=\"" + promEscape(value) + "\"} " +
               QByteArray::number(count) + '\n';
    return out;
}

QByteArray renderCoreMetrics(const core::MetricsSnapshot &s)
{
    QByteArray out;
    out += gaugeByLabel("signupdesk_accounts", "Accounts, by status.", "status", s.accounts);
    out += gaugeByLabel("signupdesk_outbox_messages", "Outbox messages, by status.", "status",
                        s.outboxMessages);
    out += gaugeByLabel("signupdesk_webhook_deliveries", "Webhook deliveries, by status.", "status",
                        s.webhookDeliveries);
    out += "# HELP signupdesk_ratelimit_rejections_total Requests refused by a rate limit or "
           "lockout on this instance, by rule.\n"
           "# TYPE signupdesk_ratelimit_rejections_total counter\n";
    QStringList rules = s.rateLimitRejections.keys();
    rules.sort();
    for (const QString &rule : std::as_const(rules))
        out += "signupdesk_ratelimit_rejections_total{rule=\"" + promEscape(rule) + "\"} " +
               QByteArray::number(s.rateLimitRejections.value(rule)) + '\n';
    out +=
        "# HELP signupdesk_password_hash_queue Password hashes running or waiting on this "
        "instance.\n# TYPE signupdesk_password_hash_queue gauge\nsignupdesk_password_hash_queue " +
        QByteArray::number(s.passwordHashQueue) + '\n';
    return out;
}

} // namespace

void registerOperationsRoutes(ApiServer &server, core::CoreServices &core)
{
    core::CoreServices *c = &core;
    ApiServer *srv = &server;

    // Parsed once: checked by loadConfig.
    QList<std::pair<QHostAddress, int>> allowed;
    for (const QString &entry : core.config().metricsAllowedAddresses) {
        const QHostAddress single(entry);
        allowed.append(
            single.isNull()
                ? QHostAddress::parseSubnet(entry)
                : std::pair<QHostAddress, int>{
                      single, single.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128});
    }
    server.addRoute(
        {"GET", u"/metrics"_s, RunOn::WorkerPool, false, [c, srv, allowed](const HttpRequest &r) {
             const QHostAddress client(r.remoteIp);
             const bool permitted =
                 std::any_of(allowed.cbegin(), allowed.cend(), [&](const auto &net) {
                     return client.isInSubnet(net.first, net.second);
                 });
             // Others see what an unknown path answers: nothing to find here.
             if (!permitted)
                 return errorResponse(core::Error{core::ErrorCode::NotFound, {}, {}, 0},
                                      r.language());
             auto snapshot = c->metrics().snapshot();
             if (!snapshot)
                 return errorResponse(snapshot.error(), r.language());
             HttpResponse out;
             out.contentType = "text/plain; version=0.0.4; charset=utf-8";
             out.body =
                 srv->metrics().render() + renderCoreMetrics(*snapshot) + renderProcessMetrics();
             return out;
         }});

    server.addRoute(
        {"GET", u"/api/v1/openapi.json"_s, RunOn::ServerThread, false, [](const HttpRequest &) {
             static const QByteArray document = [] {
                 QFile file(u":/openapi/openapi.json"_s);
                 return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
             }();
             HttpResponse out;
             out.contentType = "application/json";
             out.body = document;
             return out;
         }});
}

} // namespace sd::http
