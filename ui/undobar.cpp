#include "undobar.h"

#include "pendingrejects.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace sd::ui {

UndoBar::UndoBar(PendingRejects *pending, QWidget *parent) : QFrame(parent), m_pending(pending)
{
    setObjectName(u"undoBar"_s);
    setFrameShape(QFrame::StyledPanel);
    setStyleSheet(u"#undoBar { background: #fff4e5; }"_s);
    auto *layout = new QHBoxLayout(this);
    m_label = new QLabel(this);
    auto *undoButton = new QPushButton(tr("U&ndo"), this);
    undoButton->setObjectName(u"undoButton"_s);
    undoButton->setFocusPolicy(Qt::NoFocus);
    connect(undoButton, &QPushButton::clicked, this, &UndoBar::undoRequested);
    layout->addWidget(m_label, 1);
    layout->addWidget(undoButton);
    hide();
    connect(pending, &PendingRejects::changed, this, &UndoBar::update);
}

void UndoBar::update()
{
    if (m_pending->isEmpty()) {
        hide();
        return;
    }
    m_label->setText(tr("Rejecting %n signup(s) in %1 s.", nullptr, m_pending->count())
                         .arg(m_pending->secondsLeft()));
    show();
}

} // namespace sd::ui
