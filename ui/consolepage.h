#pragma once

#include "bulkrunner.h"
#include "coreservices.h"

#include <QTimer>
#include <QWidget>

#include <functional>

class QAbstractItemModel;
class QAction;
class QComboBox;
class QLineEdit;
class QTableView;

namespace sd::ui {

class ConsoleBackend;
class PagedFilterProxy;
class RowFilterProxy;

// A tab of the console over one core list. It loads when first shown and, on core events,
// reloads (merging rows in place) while visible; a hidden tab only notes that it is stale.
class ConsolePage : public QWidget
{
    Q_OBJECT
public:
    ConsolePage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    QLineEdit *searchField() const { return m_search; }
    QComboBox *filter() const { return m_filter; }
    RowFilterProxy *proxy() const { return m_proxy; }
    bool isLoaded() const { return m_loaded; }

public slots:
    virtual void reload() = 0;
    // Something changed in core: reload soon (gathers bursts), or when next shown.
    void scheduleReload();

signals:
    void loaded();
    void errorOccurred(const QString &message);
    void info(const QString &message);

protected:
    void showEvent(QShowEvent *event) override;
    // The common frame: a filter combo, a search field, the table (and `side` to its right).
    // The table shows `model` through a RowFilterProxy (m_proxy, filtering and sorting in
    // memory), or through `paged`, the PagedFilterProxy of a list paged from the database
    // (then m_proxy is null and the search goes to `paged`).
    void buildFrame(QAbstractItemModel *model, QWidget *side = nullptr,
                    PagedFilterProxy *paged = nullptr);
    QAction *addViewAction(const QString &name, const QString &text, const QKeySequence &key);
    // The keys of the selected rows the model holds (a paged list: those of its window).
    QStringList selectedKeys() const;
    void markLoaded();
    // A bulk action's progress label: its menu text without the accelerator.
    static QString actionLabel(const QAction *action);
    // `job` for each id, as one bulk run with progress; the first error goes to errorOccurred,
    // then `done(succeeded)`.
    void runForEach(const QString &label, const QStringList &ids, BulkRunner::ItemJob job,
                    BulkRunner::ErrorText errorText, BulkRunner::ItemDone each,
                    std::function<void(int)> done);

    ConsoleBackend *m_backend;
    core::CoreServices &m_core;
    BulkRunner *m_bulk;
    RowFilterProxy *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QComboBox *m_filter = nullptr;
    QLineEdit *m_search = nullptr;
    QWidget *m_buttons = nullptr;

private:
    QTimer m_reloadTimer;
    bool m_stale = true;
    bool m_loaded = false;
};

} // namespace sd::ui
