#include "afteranswer.h"

namespace sd::core {

AfterAnswer::AfterAnswer()
{
    // Two threads: mail work is short database work; more would only contend for the writer.
    m_pool.setMaxThreadCount(2);
    m_pool.setObjectName(QStringLiteral("after-answer"));
}

AfterAnswer::~AfterAnswer()
{
    m_pool.waitForDone();
}

void AfterAnswer::post(std::function<void()> job)
{
    m_pool.start(std::move(job));
}

void AfterAnswer::waitForIdle()
{
    m_pool.waitForDone();
}

} // namespace sd::core
