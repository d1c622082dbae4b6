#pragma once

#include <QWidget>

class QComboBox;
class QSpinBox;

namespace sd::ui {

// A duration as a person says it: an amount and a unit (minutes, hours, days), never a count
// of raw seconds. Shown in the largest unit that says it exactly ("2 days", "90 minutes"); a
// value that no whole minute says (a hand-edited file) shows in seconds, the one case where that
// unit is offered. The child spin box is "<name>Amount", the unit combo "<name>Unit".
class DurationEdit : public QWidget
{
    Q_OBJECT
public:
    enum Unit
    {
        Seconds = 1,
        Minutes = 60,
        Hours = 3600,
        Days = 86400
    };

    DurationEdit(const QString &name, qint64 maxSeconds, QWidget *parent = nullptr);

    qint64 seconds() const;
    void setSeconds(qint64 seconds);
    // Sets the amount and unit as the admin would pick them.
    void setDuration(int amount, Unit unit);
    Unit unit() const;
    int amount() const;

signals:
    void changed();

private:
    void setUnitChoices(bool withSeconds);
    void updateRange();

    QSpinBox *m_amount;
    QComboBox *m_unit;
    qint64 m_max;
};

} // namespace sd::ui
