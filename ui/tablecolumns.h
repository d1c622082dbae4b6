#pragma once

#include <QObject>
#include <QStyledItemDelegate>
#include <QTimer>

class QSettings;
class QTableView;

namespace sd::ui {

// A list's columns as an admin expects them: fitted to their contents as rows arrive (growing,
// never shrinking under the admin's eyes, each at most `maxWidth`) until the admin resizes one
// by hand; a menu on the header to show or hide columns; widths, order and hidden columns
// remembered in the console's own settings under columns/<key>. The last column stretches.
class TableColumns : public QObject
{
    Q_OBJECT
public:
    TableColumns(QTableView *view, QSettings *settings, const QString &key, int maxWidth);

    // Writes the state now (the window is closing; later changes are written on their own).
    void save();
    // Whether the admin sized a column by hand (then nothing is fitted any more).
    bool sizedByHand() const { return m_byHand; }
    // Also keep the columns within the view's width (no horizontal scrolling): when their
    // contents want more, the widest give way first (cut cells keep their text in tooltips),
    // none below its header's text. Followed as the view is resized. Off by default.
    void setFitWithinWidth(bool on);
    // Whether rows inserted or removed refit the columns (default). Off for a paged list,
    // whose length changes at its end, out of view; a reset and changed rows still refit.
    void setFitOnRowCountChanges(bool on);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void fit();
    void showHeaderMenu(const QPoint &pos);
    int lastVisibleColumn() const;

    QTableView *m_view;
    QSettings *m_settings;
    QString m_key;
    int m_maxWidth;
    bool m_fitting = false;
    bool m_byHand = false;
    bool m_fitted = false;
    bool m_withinWidth = false;
    QTimer m_fitTimer;
    QTimer m_saveTimer;
};

// The whole text of a cell that is cut (elided) as its tooltip; cells with a tooltip of their
// own keep it.
class CutCellTips : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    bool helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                   const QModelIndex &index) override;
    // Whether this cell's text does not fit its width (for tests).
    static bool isCut(const QAbstractItemView *view, const QModelIndex &index);
};

} // namespace sd::ui
