#include "afteranswer.h"

#include "logformat.h"

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
    // The job's log lines carry the id of the request that posted it.
    m_pool.start([job = std::move(job), requestId = currentRequestId()] {
        const RequestIdScope logScope(requestId);
        job();
    });
}

void AfterAnswer::waitForIdle()
{
    m_pool.waitForDone();
}

} // namespace sd::core
