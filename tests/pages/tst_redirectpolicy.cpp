// SEC-22: where a login may redirect. Hostile next_page values all end at "/"; allowed paths
// and hosts pass unchanged.

#include "flows/emaillogin/redirectpolicy.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestRedirectPolicy : public QObject
{
    Q_OBJECT

private slots:
    void hostileGoHome_data()
    {
        QTest::addColumn<QString>("next");
        const QStringList payloads = {
            u"//evil.com"_s,
            u"/\\evil.com"_s,
            u"\\\\evil.com"_s,
            u"\\/evil.com"_s,
            u"https:evil.com"_s,
            u"http:/\\evil.com"_s,
            u"http:evil.com"_s,
            u"javascript:alert(1)"_s,
            u"JavaScript:alert(1)"_s,
            u"data:text/html,<script>alert(1)</script>"_s,
            u"%2F%2Fevil.com"_s,
            u"/%2F/evil.com"_s,
            u"/%5Cevil.com"_s,
            u"/%09/evil.com"_s,
            u"https://allowed.example.evil.com"_s,
            u"https://allowed.example@evil.com"_s,
            u"https://user:pw@allowed.example/"_s,
            u"https://evil.com#@allowed.example"_s,
            u"https://evil.com?@allowed.example"_s,
            u"https://evil.com\\@allowed.example"_s,
            u"\uFF0F\uFF0Fevil.com"_s,
            u"/ok%0d%0aSet-Cookie:x=y"_s,
            u"/ok\r\nSet-Cookie:x=y"_s,
            u"/ok\nx"_s,
            u"/ok%00"_s,
            u" /ok"_s,
            u"/ok path"_s,
            u"https://evil.com"_s,
            u"ftp://allowed.example/"_s,
            u"//allowed.example/"_s,
            u"https:///evil.com"_s,
            u"https://allowed.example:evil.com/"_s,
            u"evil.com"_s,
            u"./x"_s,
            u"?x=1"_s,
            u"/\u00e9vil"_s,
            u"https://allowed.exampl\u0435/"_s,
            u"HTTPS://allowed.example/"_s,
            QString(3000, u'a').prepend(u'/'),
        };
        for (const QString &p : payloads)
            QTest::newRow(qPrintable(p.left(60).toHtmlEscaped())) << p;
    }
    void hostileGoHome()
    {
        QFETCH(QString, next);
        QCOMPARE(sd::core::resolveRedirect(next, {u"allowed.example"_s, u"Other.Example"_s}),
                 u"/"_s);
    }

    void allowedPassUnchanged_data()
    {
        QTest::addColumn<QString>("next");
        for (const QString &p :
             {u"/"_s, u"/dashboard"_s, u"/a/b?c=d&e=%20f#top"_s, u"/x%2Fy"_s,
              u"https://allowed.example"_s, u"https://allowed.example/path?q=1"_s,
              u"http://allowed.example:8443/x"_s, u"https://other.example/"_s,
              u"https://ALLOWED.example/#frag"_s})
            QTest::newRow(qPrintable(p)) << p;
    }
    void allowedPassUnchanged()
    {
        QFETCH(QString, next);
        QCOMPARE(sd::core::resolveRedirect(next, {u"allowed.example"_s, u"Other.Example"_s}), next);
    }

    void emptyGoesHome()
    {
        QCOMPARE(sd::core::resolveRedirect({}, {u"allowed.example"_s}), u"/"_s);
        QCOMPARE(sd::core::resolveRedirect(u"https://allowed.example/"_s, {}), u"/"_s);
    }
};

QTEST_APPLESS_MAIN(TestRedirectPolicy)
#include "tst_redirectpolicy.moc"
