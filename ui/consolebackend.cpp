#include "consolebackend.h"

using namespace Qt::StringLiterals;

namespace sd::ui {

ConsoleBackend::ConsoleBackend(core::CoreServices &core, QObject *parent)
    : QObject(parent), m_core(core)
{
    m_thread.setObjectName(u"console-backend"_s);
    m_worker = new QObject;
    m_worker->moveToThread(&m_thread);
    m_thread.start();
}

ConsoleBackend::~ConsoleBackend()
{
    // Posted after every queued job, so those run first (a pending reject must not be lost).
    QMetaObject::invokeMethod(
        m_worker, [this] { m_thread.quit(); }, Qt::QueuedConnection);
    m_thread.wait();
    delete m_worker;
}

void ConsoleBackend::post(std::function<void()> job)
{
    QMetaObject::invokeMethod(m_worker, std::move(job), Qt::QueuedConnection);
}

void ConsoleBackend::begin()
{
    if (m_inFlight++ == 0)
        emit busyChanged(true);
}

void ConsoleBackend::end()
{
    if (--m_inFlight == 0)
        emit busyChanged(false);
}

} // namespace sd::ui
