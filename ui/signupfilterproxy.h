#pragma once

#include "accounts/account.h"

#include <QIdentityProxyModel>
#include <QStringList>

namespace sd::ui {

class SignupTableModel;

// The Signups tab's filter (statuses) and search (words), and its sort: passed on to the
// paged SignupTableModel as its core::SignupQuery, which the database answers. The rows pass
// through as they are: nothing is filtered or sorted here (a million rows would be visited).
class SignupFilterProxy : public QIdentityProxyModel
{
    Q_OBJECT
public:
    explicit SignupFilterProxy(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *model) override;
    // core::toString(AccountStatus) values to show; empty: every status.
    void setStatuses(const QStringList &statuses);
    // Words (split on spaces), each of which must start the username, email, display name or
    // client IP, case-insensitive.
    void setSearchText(const QString &text);
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

private:
    SignupTableModel *m_signups = nullptr;
};

} // namespace sd::ui
