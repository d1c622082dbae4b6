// Issue 15 item 3: /api/v1/openapi.json is resources/openapi.json, and the routes the server
// registers (every JSON API, OAuth and operations route; the HTML pages aside) and the
// document's paths and methods agree both ways. A failure lists exactly the missing and the
// extra "METHOD /path" pairs. (Its validity as OpenAPI 3.1 is the openapi_validate test.)

#include "httpclient.h"
#include "testserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// "/oauth/callback/from/<provider>" and "/oauth/callback/from/{provider}" alike; the
// contract's trailing slashes (/api/v1/user/verify-email/) are the same route.
QString canonical(const QByteArray &method, QString path)
{
    static const QRegularExpression parameter(u"<([^>]+)>"_s);
    path.replace(parameter, u"{\\1}"_s);
    if (path.size() > 1 && path.endsWith(u'/'))
        path.chop(1);
    return QString::fromLatin1(method.toUpper()) + u' ' + path;
}

} // namespace

class TestOpenApi : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestServer> m_server;

private slots:
    void initTestCase()
    {
        m_server = std::make_unique<TestServer>(
            TestServer::Backend::Sqlite, [](sd::core::Config &c) { c.adminApiEnabled = true; });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
    }
    void cleanupTestCase() { m_server.reset(); }

    void servesTheShippedDocument()
    {
        const HttpResult r = httpRequest(m_server->port(), "GET", "/api/v1/openapi.json");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.headers.value("content-type"), "application/json");
        QFile file(qEnvironmentVariable("SD_SOURCE_DIR") + u"/resources/openapi.json"_s);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(r.body, file.readAll());
        const QJsonObject doc = QJsonDocument::fromJson(r.body).object();
        QCOMPARE(doc.value(u"openapi"_s).toString(), u"3.1.0"_s);
        // The error shape every error answer refers to.
        const QJsonObject error = doc[u"components"_s][u"schemas"_s][u"Error"_s].toObject();
        QCOMPARE(error[u"required"_s].toArray(), QJsonArray{u"error"_s});
    }

    void routesAndDocumentAgree()
    {
        QSet<QString> registered;
        // Pages are no part of the JSON API, except the /oauth ones: API.md documents every
        // /oauth path (the browser flow's /oauth/start and /oauth/done are pages).
        for (const sd::http::RouteInfo &route : m_server->app().server()->routes())
            if (!route.page || route.pattern.startsWith(u"/oauth/"_s))
                registered.insert(canonical(route.method, route.pattern));

        const HttpResult r = httpRequest(m_server->port(), "GET", "/api/v1/openapi.json");
        const QJsonObject paths = QJsonDocument::fromJson(r.body).object()[u"paths"_s].toObject();
        QSet<QString> documented;
        static const QStringList methods = {u"get"_s,     u"put"_s,  u"post"_s,  u"delete"_s,
                                            u"options"_s, u"head"_s, u"patch"_s, u"trace"_s};
        for (auto it = paths.begin(); it != paths.end(); ++it)
            for (const QString &key : it.value().toObject().keys())
                if (methods.contains(key))
                    documented.insert(canonical(key.toLatin1(), it.key()));

        QStringList missing = (registered - documented).values(); // routes without an entry
        QStringList extra = (documented - registered).values();   // entries without a route
        missing.sort();
        extra.sort();
        QVERIFY2(missing.isEmpty() && extra.isEmpty(),
                 qPrintable(u"\nregistered but not in resources/openapi.json:\n  "_s +
                            missing.join(u"\n  "_s) +
                            u"\nin resources/openapi.json but not registered:\n  "_s +
                            extra.join(u"\n  "_s)));
        QVERIFY(registered.contains(u"GET /api/v1/user/me"_s)); // the check saw the API
        QVERIFY(registered.contains(u"GET /oauth/start/{provider}"_s));
    }
};

QTEST_GUILESS_MAIN(TestOpenApi)
#include "tst_openapi.moc"
