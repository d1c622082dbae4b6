#include "reasondialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace sd::ui {

ReasonDialog::ReasonDialog(const QString &title, const QString &prompt, const QStringList &presets,
                           QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(title);
    setObjectName(u"reasonDialog"_s);
    auto *layout = new QVBoxLayout(this);
    auto *label = new QLabel(prompt, this);
    layout->addWidget(label);

    m_reason = new QComboBox(this);
    m_reason->setObjectName(u"reason"_s);
    m_reason->setEditable(true);
    m_reason->setInsertPolicy(QComboBox::NoInsert);
    m_reason->addItems(presets);
    m_reason->setCurrentIndex(-1);
    m_reason->lineEdit()->setPlaceholderText(tr("Type a reason or pick a preset"));
    m_reason->setMinimumWidth(420);
    label->setBuddy(m_reason);
    layout->addWidget(m_reason);

    auto *presetRow = new QHBoxLayout;
    m_save = new QPushButton(tr("&Save as preset"), this);
    m_remove = new QPushButton(tr("&Delete preset"), this);
    m_save->setAutoDefault(false);
    m_remove->setAutoDefault(false);
    presetRow->addWidget(m_save);
    presetRow->addWidget(m_remove);
    presetRow->addStretch();
    layout->addLayout(presetRow);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_reason, &QComboBox::currentTextChanged, this, &ReasonDialog::updateButtons);
    connect(m_save, &QPushButton::clicked, this, [this] {
        const QString text = reason();
        if (text.isEmpty() || m_reason->findText(text) >= 0)
            return;
        m_reason->addItem(text);
        m_reason->setCurrentIndex(m_reason->count() - 1);
        emit presetsChanged(this->presets());
        updateButtons();
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        const int at = m_reason->findText(reason());
        if (at < 0)
            return;
        m_reason->removeItem(at);
        m_reason->setCurrentIndex(-1);
        m_reason->setEditText({});
        emit presetsChanged(this->presets());
        updateButtons();
    });
    updateButtons();
    m_reason->setFocus();
}

QString ReasonDialog::reason() const
{
    return m_reason->currentText().trimmed();
}

void ReasonDialog::setReason(const QString &reason)
{
    m_reason->setEditText(reason);
    updateButtons();
}

QStringList ReasonDialog::presets() const
{
    QStringList out;
    for (int i = 0; i < m_reason->count(); ++i)
        out << m_reason->itemText(i);
    return out;
}

void ReasonDialog::updateButtons()
{
    const QString text = reason();
    m_ok->setEnabled(!text.isEmpty());
    m_save->setEnabled(!text.isEmpty() && m_reason->findText(text) < 0);
    m_remove->setEnabled(m_reason->findText(text) >= 0);
}

void ReasonDialog::ask(QWidget *parent, QSettings *settings, const Request &request,
                       std::function<void(const QString &)> accepted, std::function<void()> closed)
{
    const QStringList presets =
        settings->value(request.presetsKey, request.defaults).toStringList();
    auto *dialog = new ReasonDialog(request.title, request.prompt, presets, parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QString key = request.presetsKey;
    connect(dialog, &ReasonDialog::presetsChanged, parent,
            [settings, key](const QStringList &list) { settings->setValue(key, list); });
    connect(dialog, &QDialog::accepted, parent, [dialog, accepted, closed] {
        accepted(dialog->reason());
        closed();
    });
    connect(dialog, &QDialog::rejected, parent, closed);
    dialog->open();
}

} // namespace sd::ui
