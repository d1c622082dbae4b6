#pragma once

#include <QFrame>

class QLabel;

namespace sd::ui {

// The console's one place where errors show: a red bar with the message (selectable) and
// Dismiss. Hidden until there is a message.
class MessageBar : public QFrame
{
    Q_OBJECT
public:
    explicit MessageBar(QWidget *parent = nullptr);

    void showMessage(const QString &message);
    // The message shown, empty while hidden.
    QString message() const;

private:
    QLabel *m_label;
};

} // namespace sd::ui
