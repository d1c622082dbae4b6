#pragma once

#include <QSortFilterProxyModel>
#include <QStringList>

namespace sd::ui {

// Filters the signups by status and by a search text (username, email, display name,
// address; case-insensitive, every word must match) and sorts on raw values.
class SignupFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit SignupFilterProxy(QObject *parent = nullptr);

    // core::toString(AccountStatus) values to show; empty: every status.
    void setStatuses(const QStringList &statuses);
    void setSearchText(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QStringList m_statuses;
    QStringList m_words;
};

} // namespace sd::ui
