// Issue 13: the administrator's account commands of the real signupdesk program, run through
// QProcess on a SQLite file that this test also opens with the core services (to make
// accounts and read the invitation mail): `admin users list|disable|enable|delete`,
// `admin invite`, `admin invitations list|revoke`. Exit status: 0 done, 1 refused, 2 usage.

#include "core/coreharness.h"
#include "support/testenv.h"

#include <QProcess>

using namespace Qt::StringLiterals;
using namespace sd::core;

namespace {
struct CliResult
{
    int exitCode = -1;
    QString out;
    QString err;
    QStringList lines() const { return out.split(u'\n', Qt::SkipEmptyParts); }
};
} // namespace

class TestAccountCli : public QObject
{
    Q_OBJECT

    std::unique_ptr<CoreHarness> h;
    QTemporaryDir m_dir;
    QString m_config;

    CliResult admin(const QStringList &args)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &key : env.keys())
            if (key.startsWith(u"SIGNUPDESK_"_s))
                env.remove(key);
        env.insert(u"XDG_DATA_HOME"_s, m_dir.filePath(u"xdg"_s));
        p.setProcessEnvironment(env);
        p.start(testenv::signupdeskBinary(),
                QStringList{u"--config"_s, m_config, u"admin"_s} + args);
        CliResult r;
        if (!p.waitForStarted(10000) || !p.waitForFinished(60000))
            return r;
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = QString::fromUtf8(p.readAllStandardOutput());
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        h = std::make_unique<CoreHarness>([](Config &c) { c.approvalRequired = false; });
        QVERIFY2(h->ok(), qPrintable(h->error()));
        m_config = m_dir.filePath(u"signupdesk.ini"_s);
        QFile f(m_config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("[server]\npublic_url=https://desk.example.org\n[database]\nurl=sqlite:" +
                h->config().dataDir.toUtf8() + "/core.db\n[mail]\nfolder=" +
                m_dir.filePath(u"mail"_s).toUtf8() + "\n[password]\nmemory_kib=64\niterations=1\n");
    }

    void usersListSearchAndStatus()
    {
        const auto anna = h->activeAccount(u"anna"_s);
        h->clock().advanceMs(1000); // listed by signup time: anna first
        const auto bert = h->activeAccount(u"bert"_s);
        QVERIFY(anna && bert);
        const CliResult all = admin({u"users"_s, u"list"_s});
        QCOMPARE(all.exitCode, 0);
        QCOMPARE(all.lines().size(), 2);
        const QStringList fields = all.lines()[0].split(u'\t');
        QCOMPARE(fields.size(), 6); // id, username, email, status, sign_up_time, last_login_at
        QCOMPARE(fields[0], anna->id);
        QCOMPARE(fields[3], u"active"_s);
        QVERIFY(fields[4].endsWith(u'Z'));
        QCOMPARE(fields[5], u"-"_s); // never logged in
        const CliResult query = admin({u"users"_s, u"list"_s, u"--query"_s, u"BER"_s});
        QCOMPARE(query.lines().size(), 1);
        QVERIFY(query.lines()[0].startsWith(bert->id));
        QCOMPARE(admin({u"users"_s, u"list"_s, u"--status"_s, u"disabled"_s}).out, QString());
        QCOMPARE(admin({u"users"_s, u"list"_s, u"--status"_s, u"weird"_s}).exitCode, 2);
    }

    void disableEnableDelete()
    {
        const auto anna = h->accountByEmail(u"anna@example.com"_s);
        const auto bert = h->accountByEmail(u"bert@example.com"_s);
        QVERIFY(anna && bert);
        QCOMPARE(admin({u"users"_s, u"disable"_s, anna->id, u"--reason"_s, u"abuse"_s}).exitCode,
                 0);
        QCOMPARE(toString(h->account(anna->id)->status), u"disabled"_s);
        QVERIFY(
            admin({u"users"_s, u"list"_s, u"--status"_s, u"disabled"_s}).out.startsWith(anna->id));
        QCOMPARE(admin({u"users"_s, u"disable"_s, anna->id}).exitCode, 1); // not active
        QCOMPARE(admin({u"users"_s, u"enable"_s, anna->id}).exitCode, 0);
        QCOMPARE(admin({u"users"_s, u"enable"_s, anna->id}).exitCode, 1); // not disabled
        QCOMPARE(admin({u"users"_s, u"enable"_s, u"usr_nope"_s}).exitCode, 1);
        QCOMPARE(toString(h->account(anna->id)->status), u"active"_s);

        QCOMPARE(admin({u"users"_s, u"delete"_s, bert->id}).exitCode, 2); // --reason is required
        QVERIFY(h->account(bert->id));
        QCOMPARE(admin({u"users"_s, u"delete"_s, bert->id, u"--reason"_s, u"spam"_s}).exitCode, 0);
        QVERIFY(!h->account(bert->id));
        QVERIFY(h->auditActions(bert->id).contains(u"account.deleted"_s));
        const CliResult again = admin({u"users"_s, u"delete"_s, bert->id, u"--reason"_s, u"x"_s});
        QCOMPARE(again.exitCode, 1);
        QVERIFY(again.err.contains(u"not found"_s));
        QCOMPARE(admin({u"users"_s, u"frobnicate"_s, anna->id}).exitCode, 2);
    }

    // Without server/public_url the command cannot build the link: it refuses (2) and makes
    // nothing, rather than mail a link without a host.
    void inviteNeedsThePublicUrl()
    {
        const QString config = m_dir.filePath(u"no-url.ini"_s);
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("[database]\nurl=sqlite:" + h->config().dataDir.toUtf8() + "/core.db\n");
        f.close();
        const QString kept = m_config;
        m_config = config;
        const CliResult r = admin({u"invite"_s, u"nora@example.com"_s});
        m_config = kept;
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(u"server/public_url"_s), qPrintable(r.err));
        QCOMPARE(h->mails(u"invitation"_s).size(), 0);
        auto all = h->core().invitations().list();
        QVERIFY(all && all->isEmpty());
    }

    void inviteListAndRevoke()
    {
        const CliResult made = admin({u"invite"_s, u"carl@example.com"_s, u"--apps"_s, u"default"_s,
                                      u"--groups"_s, u"staff,ops"_s});
        QCOMPARE(made.exitCode, 0);
        QVERIFY(made.out.startsWith(u"inv_"_s));
        const CliResult twice = admin({u"invite"_s, u"carl@example.com"_s});
        QCOMPARE(twice.exitCode, 1);
        QCOMPARE(admin({u"invite"_s, u"anna@example.com"_s}).exitCode, 1); // has an account
        QCOMPARE(admin({u"invite"_s, u"not an address"_s}).exitCode, 1);
        CliResult list = admin({u"invitations"_s, u"list"_s});
        QCOMPARE(list.exitCode, 0);
        QCOMPARE(list.lines().size(), 1);
        QStringList fields = list.lines()[0].split(u'\t');
        QCOMPARE(fields.value(1), u"carl@example.com"_s);
        QCOMPARE(fields.value(2), u"pending"_s);
        QCOMPARE(fields.value(6), u"staff,ops"_s);

        // Accepted with the mailed token: the list shows it.
        const auto mails = h->mails(u"invitation"_s);
        QCOMPARE(mails.size(), 1);
        QVERIFY2(
            mails[0].message.textBody.contains(u"https://desk.example.org/accept-invite?token="_s),
            qPrintable(mails[0].message.textBody));
        SignupInput input;
        input.username = u"carl"_s;
        input.password = u"correct battery staple horse"_s;
        auto accepted =
            h->core().invitations().accept(CoreHarness::tokenIn(mails[0]), input, {}, {});
        QVERIFY2(accepted, accepted ? "" : qPrintable(accepted.error().detail));
        QCOMPARE(h->account(accepted->userId)->groups, (QStringList{u"staff"_s, u"ops"_s}));
        list = admin({u"invitations"_s, u"list"_s});
        QCOMPARE(list.lines()[0].split(u'\t').value(2), u"accepted"_s);

        const CliResult dora = admin({u"invite"_s, u"dora@example.com"_s});
        const QString id = dora.out.section(u'\t', 0, 0);
        QCOMPARE(admin({u"invitations"_s, u"revoke"_s, id}).exitCode, 0);
        QCOMPARE(admin({u"invitations"_s, u"revoke"_s, id}).exitCode, 1);
        QCOMPARE(admin({u"invitations"_s, u"revoke"_s, u"inv_nope"_s}).exitCode, 1);
        QCOMPARE(admin({u"invitations"_s, u"list"_s}).lines()[0].split(u'\t').value(2),
                 u"revoked"_s);
        QCOMPARE(admin({u"invitations"_s}).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestAccountCli)
#include "tst_accountcli.moc"
