#pragma once

#include "coreservices.h"

#include <QObject>
#include <QPointer>
#include <QThread>

#include <functional>

namespace sd::ui {

// Runs the console's core calls (database, hashing) on a thread of its own, so the GUI thread
// never waits on them. Jobs run one after another, in the order given; a job's result comes
// back on the GUI thread, to a callback tied to a context object (dropped if that is gone).
class ConsoleBackend : public QObject
{
    Q_OBJECT
public:
    explicit ConsoleBackend(core::CoreServices &core, QObject *parent = nullptr);
    // Finishes the jobs already queued, then stops the thread.
    ~ConsoleBackend() override;

    core::CoreServices &core() { return m_core; }
    int jobsInFlight() const { return m_inFlight; }

    // `job()` runs on the backend thread; `done(result)` then runs on this (GUI) thread.
    template <typename Job, typename Done> void run(QObject *context, Job job, Done done)
    {
        QPointer<QObject> guard(context);
        begin();
        post([this, guard, job = std::move(job), done = std::move(done)]() mutable {
            auto result = job();
            QMetaObject::invokeMethod(
                this,
                [this, guard, done, result = std::move(result)]() mutable {
                    end();
                    if (guard)
                        done(std::move(result));
                },
                Qt::QueuedConnection);
        });
    }

signals:
    void busyChanged(bool busy);

private:
    void post(std::function<void()> job);
    void begin();
    void end();

    core::CoreServices &m_core;
    QThread m_thread;
    QObject *m_worker = nullptr; // lives in m_thread
    int m_inFlight = 0;
};

} // namespace sd::ui
