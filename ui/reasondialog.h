#pragma once

#include <QDialog>

#include <functional>

class QComboBox;
class QSettings;
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

    struct Request
    {
        QString title;
        QString prompt;
        QString presetsKey;   // where `settings` keeps the presets
        QStringList defaults; // the presets until the admin edits them
    };
    // Opens one, window-modal (no nested event loop): `accepted(reason)` on OK; `closed()`
    // after OK or Cancel. The presets live in `settings`.
    static void ask(QWidget *parent, QSettings *settings, const Request &request,
                    std::function<void(const QString &)> accepted, std::function<void()> closed);

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
