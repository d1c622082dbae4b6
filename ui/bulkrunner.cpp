#include "bulkrunner.h"

#include "consolebackend.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace sd::ui {

struct BulkRunner::Batch
{
    BulkOutcome outcome;
    ErrorText errorText;
    ItemDone each;
    BatchDone done;
    std::shared_ptr<std::atomic_bool> cancel = std::make_shared<std::atomic_bool>(false);
    int finished() const { return outcome.succeeded + outcome.failed + outcome.cancelled; }
};

BulkRunner::BulkRunner(ConsoleBackend *backend, core::CoreServices &core, QObject *parent)
    : QObject(parent), m_backend(backend), m_core(core)
{
}

void BulkRunner::run(const QString &label, const QStringList &ids, ItemJob job, ErrorText errorText,
                     ItemDone each, BatchDone done)
{
    if (ids.isEmpty())
        return;
    auto batch = std::make_shared<Batch>();
    batch->outcome.label = label;
    batch->outcome.total = int(ids.size());
    batch->errorText = std::move(errorText);
    batch->each = std::move(each);
    batch->done = std::move(done);
    if (m_batches.isEmpty()) {
        m_total = 0;
        m_done = 0;
    }
    m_batches.append(batch);
    m_total += batch->outcome.total;
    m_label = label;
    emit progressChanged(m_label, m_done, m_total);
    core::CoreServices *core = &m_core;
    for (const QString &id : ids) {
        auto cancel = batch->cancel;
        m_backend->run(
            this,
            [core, job, id, cancel]() -> std::optional<core::Result<void>> {
                if (cancel->load())
                    return std::nullopt;
                return job(*core, id);
            },
            [this, batch, id](const std::optional<core::Result<void>> &outcome) {
                itemDone(batch, id, outcome);
            });
    }
}

void BulkRunner::itemDone(const std::shared_ptr<Batch> &batch, const QString &id,
                          const std::optional<core::Result<void>> &outcome)
{
    BulkOutcome &o = batch->outcome;
    if (!outcome) {
        ++o.cancelled;
    } else if (*outcome) {
        ++o.succeeded;
    } else {
        ++o.failed;
        if (o.firstError.isEmpty())
            o.firstError = batch->errorText(outcome->error());
    }
    if (batch->each)
        batch->each(id);
    ++m_done;
    emit progressChanged(m_label, m_done, m_total);
    if (batch->finished() < o.total)
        return;
    m_batches.removeOne(batch);
    if (batch->done)
        batch->done(o);
    if (m_batches.isEmpty())
        emit idle();
}

void BulkRunner::cancelAll()
{
    for (const auto &batch : std::as_const(m_batches))
        batch->cancel->store(true);
}

BulkProgress::BulkProgress(BulkRunner *runner, const QString &barName, const QString &cancelName,
                           QWidget *parent)
    : QFrame(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_label = new QLabel(this);
    m_bar = new QProgressBar(this);
    m_bar->setObjectName(barName);
    m_bar->setFormat(tr("%v of %m"));
    auto *cancel = new QPushButton(tr("Cancel"), this);
    cancel->setObjectName(cancelName);
    cancel->setFocusPolicy(Qt::NoFocus);
    connect(cancel, &QPushButton::clicked, runner, &BulkRunner::cancelAll);
    layout->addWidget(m_label);
    layout->addWidget(m_bar, 1);
    layout->addWidget(cancel);
    hide();

    m_hideTimer.setSingleShot(true);
    m_hideTimer.setInterval(4000);
    connect(&m_hideTimer, &QTimer::timeout, this, &QWidget::hide);
    connect(runner, &BulkRunner::progressChanged, this,
            [this](const QString &label, int done, int total) {
                if (total <= 1)
                    return; // one row: its row shows the result
                m_hideTimer.stop();
                m_label->setText(label);
                m_bar->setRange(0, total);
                m_bar->setValue(done);
                show();
            });
    connect(runner, &BulkRunner::idle, &m_hideTimer, qOverload<>(&QTimer::start));
}

} // namespace sd::ui
