#pragma once

#include "config.h"

#include <QMap>
#include <QSet>
#include <QStringList>

namespace sd::core {

struct SignupInput
{
    QString username;
    QString password;
    QString email;
    QString displayName;
    std::optional<QString> currentApp;
    std::optional<QStringList> appList;
    std::optional<QString> language;
};

// The rules of a self-service signup (API.md): username, email, password, apps, language.
// Returns the per-field messages (empty: valid). Messages are stable English keys; the HTTP
// layer translates them.
class SignupValidator
{
public:
    // `reserved` and `commonPasswords` come from resources unless the config names its own.
    SignupValidator(const Config &config, QSet<QString> reservedUsernames,
                    QSet<QString> commonPasswords);

    // `apps`: the configured app code names, live (LiveSettings::apps); without them, the
    // start-up config's.
    QMap<QString, QStringList> validate(const SignupInput &input, const QStringList &apps,
                                        bool forSelfService = true) const;
    QMap<QString, QStringList> validate(const SignupInput &input, bool forSelfService = true) const;
    // The apps the account gets: app_list, else current_app, else the first configured app.
    QStringList resolveApps(const SignupInput &input, const QStringList &apps) const;
    QStringList resolveApps(const SignupInput &input) const;

    static bool isValidEmail(const QString &email);
    static bool isValidUsername(const QString &username);
    // After normalisation (names::reservedNameKey), against the shipped and configured lists.
    bool isReservedUsername(const QString &username) const;
    QStringList passwordProblems(const QString &password, const QString &username,
                                 const QString &email) const;

    // The lists that ship in resources/.
    static QSet<QString> shippedReservedUsernames();
    static QSet<QString> shippedCommonPasswords();

private:
    const Config &m_config;
    QSet<QString> m_reserved;
    QSet<QString> m_common;
};

} // namespace sd::core
