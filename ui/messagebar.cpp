#include "messagebar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace sd::ui {

MessageBar::MessageBar(QWidget *parent) : QFrame(parent)
{
    setObjectName(u"messageBar"_s);
    setFrameShape(QFrame::StyledPanel);
    setStyleSheet(u"#messageBar { background: #fdecea; color: #611a15; }"_s);
    auto *layout = new QHBoxLayout(this);
    m_label = new QLabel(this);
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *dismiss = new QPushButton(tr("Dismiss"), this);
    dismiss->setFocusPolicy(Qt::NoFocus);
    connect(dismiss, &QPushButton::clicked, this, &QWidget::hide);
    layout->addWidget(m_label, 1);
    layout->addWidget(dismiss);
    hide();
}

void MessageBar::showMessage(const QString &message)
{
    m_label->setText(message);
    show();
}

QString MessageBar::message() const
{
    return isHidden() ? QString() : m_label->text();
}

} // namespace sd::ui
