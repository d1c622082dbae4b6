#pragma once

#include <QCoreApplication>
#include <QStringList>

#include <functional>

class QWidget;

namespace sd::ui {

// The confirmation half of the console's rule for actions that change accounts (the other
// half is the undo window of PendingDecisions; docs/CONSOLE.md says which action takes which).
class ConfirmAction
{
    Q_DECLARE_TR_FUNCTIONS(sd::ui::ConfirmAction)
public:
    // "ann", "ann and bob", "ann, bob and cid", "ann, bob, cid and 4 more".
    static QString names(const QStringList &usernames, int shown = 3);

    struct Request
    {
        QString title;      // "Disable accounts"
        QString question;   // with %1 for the names: "Disable %1? Their sessions end at once."
                            // (as it is when `usernames` is empty: it names them itself)
        QString actionText; // the button that acts: "Disable"
        QStringList usernames;
    };
    // Asks, window-modal (no nested event loop): `accepted()` on the action's button, then
    // `closed()` however it ends. The dialog is a QMessageBox named "confirmDialog" whose
    // action button is "confirmButton" (the default one; Esc cancels); every name is in its
    // details when the question shows only the first few.
    static void ask(QWidget *parent, const Request &request, std::function<void()> accepted,
                    std::function<void()> closed = {});
};

} // namespace sd::ui
