#pragma once

#include <QDialog>

class QComboBox;
class QLabel;
class QPushButton;

namespace sd::ui {

// Asks for a reason (reject, mark verified). The presets are editable: type a reason and
// save it as a preset, or delete the selected preset; presetsChanged() reports the new list.
class ReasonDialog : public QDialog
{
    Q_OBJECT
public:
    ReasonDialog(const QString &title, const QString &prompt, const QStringList &presets,
                 QWidget *parent = nullptr);

    QString reason() const;
    void setReason(const QString &reason);
    QStringList presets() const;

signals:
    void presetsChanged(const QStringList &presets);

private:
    void updateButtons();

    QComboBox *m_reason = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_ok = nullptr;
};

} // namespace sd::ui
