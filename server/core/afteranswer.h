#pragma once

#include <QThreadPool>

#include <functional>

namespace sd::core {

// Work a request starts but does not wait for (issue 18 item 5): the mail of a resend or an
// email-link request is looked up, issued and queued here, after the caller has answered, so
// the answer's bytes and time cannot depend on whether the address has an account. Jobs run
// on a small pool of their own; the destructor waits for the ones already posted.
class AfterAnswer
{
public:
    AfterAnswer();
    ~AfterAnswer();
    AfterAnswer(const AfterAnswer &) = delete;
    AfterAnswer &operator=(const AfterAnswer &) = delete;

    void post(std::function<void()> job);
    // Returns once every job posted so far has finished (tests, orderly shutdown).
    void waitForIdle();

private:
    QThreadPool m_pool;
};

} // namespace sd::core
