#include "durationedit.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QSpinBox>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sd::ui {

DurationEdit::DurationEdit(const QString &name, qint64 maxSeconds, QWidget *parent)
    : QWidget(parent), m_amount(new QSpinBox(this)), m_unit(new QComboBox(this)), m_max(maxSeconds)
{
    setObjectName(name);
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    m_amount->setObjectName(name + u"Amount"_s);
    m_amount->setGroupSeparatorShown(true);
    m_unit->setObjectName(name + u"Unit"_s);
    setUnitChoices(false);
    row->addWidget(m_amount);
    row->addWidget(m_unit);
    row->addStretch(1);
    setFocusProxy(m_amount);
    connect(m_amount, &QSpinBox::valueChanged, this, &DurationEdit::changed);
    connect(m_unit, &QComboBox::currentIndexChanged, this, [this] {
        updateRange();
        emit changed();
    });
    setSeconds(Hours);
}

void DurationEdit::setUnitChoices(bool withSeconds)
{
    const Unit current = m_unit->count() > 0 ? unit() : Hours;
    const QSignalBlocker block(m_unit);
    m_unit->clear();
    if (withSeconds)
        m_unit->addItem(tr("seconds"), int(Seconds));
    m_unit->addItem(tr("minutes"), int(Minutes));
    m_unit->addItem(tr("hours"), int(Hours));
    m_unit->addItem(tr("days"), int(Days));
    m_unit->setCurrentIndex(std::max(0, m_unit->findData(int(current))));
}

void DurationEdit::updateRange()
{
    const qint64 perUnit = unit();
    m_amount->setRange(1, int(std::max<qint64>(1, m_max / perUnit)));
}

DurationEdit::Unit DurationEdit::unit() const
{
    return Unit(m_unit->currentData().toInt());
}

int DurationEdit::amount() const
{
    return m_amount->value();
}

qint64 DurationEdit::seconds() const
{
    return qint64(m_amount->value()) * unit();
}

void DurationEdit::setDuration(int amount, Unit unit)
{
    if (unit == Seconds)
        setUnitChoices(true);
    m_unit->setCurrentIndex(std::max(0, m_unit->findData(int(unit))));
    updateRange();
    m_amount->setValue(amount);
}

void DurationEdit::setSeconds(qint64 seconds)
{
    seconds = std::clamp<qint64>(seconds, 1, m_max);
    Unit u = Seconds;
    for (Unit candidate : {Days, Hours, Minutes})
        if (seconds % candidate == 0) {
            u = candidate;
            break;
        }
    setUnitChoices(u == Seconds);
    setDuration(int(seconds / u), u);
}

} // namespace sd::ui
