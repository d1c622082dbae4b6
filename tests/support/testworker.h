#pragma once

#include <QMetaObject>
#include <QObject>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <QThread>

#include <algorithm>
#include <type_traits>

// A thread of the test's own for every database call it makes, so the GUI thread of a console
// test never opens a database connection. call(f) runs f there, waits, and returns its result.
class Worker
{
public:
    Worker()
    {
        m_thread.start();
        m_object.moveToThread(&m_thread);
    }
    ~Worker()
    {
        m_thread.quit();
        m_thread.wait();
    }
    Worker(const Worker &) = delete;
    Worker &operator=(const Worker &) = delete;

    template <typename F> auto call(F f)
    {
        using R = decltype(f());
        if constexpr (std::is_void_v<R>) {
            QMetaObject::invokeMethod(
                &m_object, [&] { f(); }, Qt::BlockingQueuedConnection);
        } else {
            R result{};
            QMetaObject::invokeMethod(
                &m_object, [&] { result = f(); }, Qt::BlockingQueuedConnection);
            return result;
        }
    }

private:
    QThread m_thread;
    QObject m_object;
};

// Whether the calling (GUI) thread has a database connection open: the store names a thread's
// connections with the thread's address in hex at the end.
inline bool guiThreadHasConnection()
{
    using namespace Qt::StringLiterals;
    const QString suffix =
        u"_"_s + QString::number(reinterpret_cast<quintptr>(QThread::currentThread()), 16);
    const QStringList names = QSqlDatabase::connectionNames();
    return std::any_of(names.cbegin(), names.cend(),
                       [&](const QString &n) { return n.endsWith(suffix); });
}
