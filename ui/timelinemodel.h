#pragma once

#include "console/signupoverview.h"

#include <QAbstractTableModel>

namespace sd::ui {

// The timeline of the selected signup: signed up → email queued → sent → verified → …
class TimelineModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Time,
        Event,
        Actor,
        Detail,
        ColumnCount
    };

    explicit TimelineModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    QString userId() const { return m_userId; }
    // The same signup with entries added at the end: rows inserted; anything else: reset.
    void setTimeline(const QString &userId, const QList<core::TimelineEntry> &entries);
    void clear();

    static QString describe(const QString &action);
    static QString describeActor(const QString &actor);

private:
    QString m_userId;
    QList<core::TimelineEntry> m_entries;
};

} // namespace sd::ui
