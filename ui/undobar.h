#pragma once

#include <QFrame>

class QLabel;

namespace sd::ui {

class PendingDecisions;

// The bar over the Signups list while decisions wait in their undo window: "Approving ann;
// Rejecting bob and cid in 7 s." and Undo. Hidden while nothing waits.
class UndoBar : public QFrame
{
    Q_OBJECT
public:
    UndoBar(PendingDecisions *pending, QWidget *parent = nullptr);

signals:
    void undoRequested();

private:
    void update();

    PendingDecisions *m_pending;
    QLabel *m_label;
};

} // namespace sd::ui
