#pragma once

// The core flow services driven directly, without HTTP: a CoreServices over a fresh SQLite
// file in a temporary folder, a fake clock and a cheap password cost. One per test function
// (init() builds it anew), so no test sees another's rows, limits or clock.

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "coreservices.h"
#include "outbox.h"
#include "sqlquery.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>

class CoreHarness
{
public:
    static constexpr qint64 kStartMs = 1'780'000'000'000; // a fixed day in 2026

    explicit CoreHarness(const std::function<void(sd::core::Config &)> &configure = {})
    {
        using namespace sd::core;
        m_config = *loadConfig({});
        m_config.dataDir = m_dir.path();
        m_config.password = {64, 1, 1}; // cheap: the cost is proven in tst_passwordhasher
        m_config.rateLimitEnabled = false;
        if (configure)
            configure(m_config);
        m_db = std::make_unique<sd::store::Database>(*sd::store::DatabaseUrl::parse(
            QStringLiteral("sqlite:") + m_dir.filePath(QStringLiteral("core.db"))));
        auto core = CoreServices::create(m_config, *m_db, m_clock);
        if (!core) {
            m_error = core.error().detail;
            return;
        }
        m_core = std::move(*core);
        m_core->setPublicUrl(QStringLiteral("https://desk.example"));
    }

    bool ok() const { return m_core != nullptr; }
    QString error() const { return m_error; }
    sd::core::CoreServices &core() { return *m_core; }
    sd::core::FakeClock &clock() { return m_clock; }
    sd::store::Database &database() { return *m_db; }
    const sd::core::Config &config() const { return m_config; }

    std::optional<sd::core::Account> account(const QString &id)
    {
        return find(sd::core::accountstore::findById, id);
    }
    std::optional<sd::core::Account> accountByEmail(const QString &email)
    {
        return find(sd::core::accountstore::findByEmail, email);
    }
    // The audit actions about `subjectId`, oldest first.
    QStringList auditActions(const QString &subjectId = {})
    {
        m_core->waitForAfterAnswer(); // some flows write after their answer (issue 18 item 5)
        QStringList out;
        auto db = m_db->connection();
        if (!db)
            return out;
        auto entries = sd::core::auditlog::list(*db, subjectId);
        if (!entries)
            return out;
        for (const auto &e : *entries)
            out.append(e.action); // list() is oldest first
        return out;
    }
    // The queued mails of one kind (verification, login_link, …) about `userId`.
    QList<sd::mail::OutboxEntry> mails(const QString &kind, const QString &userId = {})
    {
        m_core->waitForAfterAnswer(); // resend and email-link mail after their answer
        QList<sd::mail::OutboxEntry> out;
        auto all = sd::mail::Outbox::list(*m_db, userId);
        if (!all)
            return out;
        for (const auto &m : *all)
            if (m.kind == kind)
                out.append(m);
        return out;
    }
    // Makes every audit write of `action` fail from now on, as a full disk or a lost
    // connection would (a trigger that aborts the INSERT).
    bool refuseAudit(const QString &action)
    {
        auto db = m_db->connection();
        return db &&
               sd::store::runQuery(
                   *db, QStringLiteral("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log"
                                       " WHEN NEW.action = '%1' BEGIN"
                                       " SELECT RAISE(ABORT, 'audit refused'); END")
                            .arg(action))
                   .has_value();
    }

    // The `token` query parameter of the first link in a mail's text part.
    static QString tokenIn(const sd::mail::OutboxEntry &mail)
    {
        static const QRegularExpression re(QStringLiteral("[?&]token=([A-Za-z0-9_%\\-]+)"));
        const auto m = re.match(mail.message.textBody);
        return m.hasMatch() ? QUrl::fromPercentEncoding(m.captured(1).toLatin1()) : QString();
    }

    // A signup that went through (a valid, fresh username and address), or nullopt.
    std::optional<sd::core::SignupResult>
    signUp(const QString &name,
           const QString &password = QStringLiteral("correct battery staple horse"))
    {
        sd::core::SignupInput input;
        input.username = name;
        input.password = password;
        input.email = name + QStringLiteral("@example.com");
        auto r = m_core->signup().signUp(input, {QStringLiteral("203.0.113.9")});
        if (!r) {
            qWarning("signUp %s: %s", qPrintable(name), qPrintable(r.error().detail));
            return std::nullopt;
        }
        return *r;
    }
    // An active, verified account made like the console's approval makes them.
    std::optional<sd::core::Account>
    activeAccount(const QString &name,
                  const QString &password = QStringLiteral("correct battery staple horse"))
    {
        auto s = signUp(name, password);
        if (!s)
            return std::nullopt;
        auto db = m_db->connection();
        if (!db)
            return std::nullopt;
        auto a = sd::core::accountstore::findById(*db, s->userId);
        if (!a || !*a)
            return std::nullopt;
        auto issued = m_core->verification().issue(*db, **a);
        if (!issued)
            return std::nullopt;
        auto verified = m_core->verification().verifyToken((*a)->email, issued->token);
        if (!verified)
            return std::nullopt;
        if (verified->status == sd::core::AccountStatus::PendingApproval) {
            auto approved =
                m_core->approval().approve(s->userId, sd::core::Actor{QStringLiteral("console")});
            if (!approved)
                return std::nullopt;
        }
        return account(s->userId);
    }

private:
    template <typename Lookup>
    std::optional<sd::core::Account> find(Lookup lookup, const QString &key)
    {
        auto db = m_db->connection();
        if (!db)
            return std::nullopt;
        auto found = lookup(*db, key);
        return found ? *found : std::nullopt;
    }

    QTemporaryDir m_dir;
    sd::core::Config m_config;
    sd::core::FakeClock m_clock{kStartMs};
    std::unique_ptr<sd::store::Database> m_db;
    std::unique_ptr<sd::core::CoreServices> m_core;
    QString m_error;
};
