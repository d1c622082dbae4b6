#pragma once

#include "coreservices.h"

#include <QFrame>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>

class QLabel;
class QProgressBar;

namespace sd::ui {

// Any Result<T> as a Result<void>: only success or the error counts.
template <typename T> core::Result<void> asVoid(const core::Result<T> &r)
{
    if (!r)
        return std::unexpected(r.error());
    return {};
}

class ConsoleBackend;

// How one batch of a bulk run ended.
struct BulkOutcome
{
    QString label;
    int total = 0;
    int succeeded = 0;
    int failed = 0;
    int cancelled = 0;
    QString firstError; // worded by the batch's error text
};

// The console's one way to run an action over many rows (the Signups tab's approve, resend…,
// the Users tab's disable…): each item is its own job on the backend thread, in order, so the
// GUI never waits; items not started yet can be cancelled; progress counts every batch still
// running. A batch reports each item as it ends, then once its outcome.
class BulkRunner : public QObject
{
    Q_OBJECT
public:
    using ItemJob = std::function<core::Result<void>(core::CoreServices &, const QString &id)>;
    using ErrorText = std::function<QString(const core::Error &)>;
    using ItemDone = std::function<void(const QString &id)>;
    using BatchDone = std::function<void(const BulkOutcome &)>;

    BulkRunner(ConsoleBackend *backend, core::CoreServices &core, QObject *parent = nullptr);

    // Nothing happens for no ids. `each` and `done` run on this (GUI) thread.
    void run(const QString &label, const QStringList &ids, ItemJob job, ErrorText errorText,
             ItemDone each, BatchDone done);
    // Any Result<T>: only success or the error counts.
    template <typename Job> static ItemJob ignoringValue(Job job)
    {
        return [job](core::CoreServices &core, const QString &id) -> core::Result<void> {
            return asVoid(job(core, id));
        };
    }

    bool isRunning() const { return !m_batches.isEmpty(); }
    int total() const { return m_total; } // items of the batches since the runner was last idle
    int done() const { return m_done; }

public slots:
    // Items not started yet are skipped (counted as cancelled).
    void cancelAll();

signals:
    // After a batch starts and after each item: the label of the newest batch.
    void progressChanged(const QString &label, int done, int total);
    // The last running batch ended.
    void idle();

private:
    struct Batch;
    void itemDone(const std::shared_ptr<Batch> &batch, const QString &id,
                  const std::optional<core::Result<void>> &outcome);

    ConsoleBackend *m_backend;
    core::CoreServices &m_core;
    QList<std::shared_ptr<Batch>> m_batches;
    QString m_label;
    int m_total = 0;
    int m_done = 0;
};

// A bulk run's progress line: label, "3 of 20", Cancel. Shows while a run of more than one item
// goes on, and hides a few seconds after the runner is idle.
class BulkProgress : public QFrame
{
    Q_OBJECT
public:
    // The bar's and the Cancel button's object names tell one page's progress from another's.
    BulkProgress(BulkRunner *runner, const QString &barName, const QString &cancelName,
                 QWidget *parent = nullptr);
    QProgressBar *bar() const { return m_bar; }

private:
    QLabel *m_label;
    QProgressBar *m_bar;
    QTimer m_hideTimer;
};

} // namespace sd::ui
