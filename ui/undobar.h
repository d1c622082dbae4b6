#pragma once

#include <QFrame>

class QLabel;

namespace sd::ui {

class PendingRejects;

// The bar over the Signups list while rejects wait in their undo window: "Rejecting 3 signups
// in 7 s." and Undo. Hidden while nothing waits.
class UndoBar : public QFrame
{
    Q_OBJECT
public:
    UndoBar(PendingRejects *pending, QWidget *parent = nullptr);

signals:
    void undoRequested();

private:
    void update();

    PendingRejects *m_pending;
    QLabel *m_label;
};

} // namespace sd::ui
