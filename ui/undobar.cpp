#include "undobar.h"

#include "confirmaction.h"
#include "pendingdecisions.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace sd::ui {

UndoBar::UndoBar(PendingDecisions *pending, QWidget *parent) : QFrame(parent), m_pending(pending)
{
    setObjectName(u"undoBar"_s);
    setFrameShape(QFrame::StyledPanel);
    setStyleSheet(u"#undoBar { background: #fff4e5; }"_s);
    auto *layout = new QHBoxLayout(this);
    m_label = new QLabel(this);
    m_label->setObjectName(u"undoLabel"_s);
    m_label->setTextFormat(Qt::PlainText);
    auto *undoButton = new QPushButton(tr("U&ndo"), this);
    undoButton->setObjectName(u"undoButton"_s);
    undoButton->setFocusPolicy(Qt::NoFocus);
    connect(undoButton, &QPushButton::clicked, this, &UndoBar::undoRequested);
    layout->addWidget(m_label, 1);
    layout->addWidget(undoButton);
    hide();
    connect(pending, &PendingDecisions::changed, this, &UndoBar::update);
}

void UndoBar::update()
{
    if (m_pending->isEmpty()) {
        hide();
        return;
    }
    // Who is being approved or rejected, by name: the banner is the last look before it runs.
    QStringList parts;
    if (const QStringList a = m_pending->usernames(PendingDecision::Approve); !a.isEmpty())
        parts << tr("Approving %1").arg(ConfirmAction::names(a));
    if (const QStringList r = m_pending->usernames(PendingDecision::Reject); !r.isEmpty())
        parts << tr("Rejecting %1").arg(ConfirmAction::names(r));
    if (const QStringList d = m_pending->usernames(PendingDecision::Delete); !d.isEmpty())
        parts << tr("Deleting %1").arg(ConfirmAction::names(d));
    m_label->setText(tr("%1 in %2 s.").arg(parts.join(u"; "_s)).arg(m_pending->secondsLeft()));
    show();
}

} // namespace sd::ui
