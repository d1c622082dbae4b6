#include "confirmaction.h"

#include <QMessageBox>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace sd::ui {

namespace {

constexpr int kNamesInQuestion = 10;

} // namespace

QString ConfirmAction::names(const QStringList &usernames, int shown)
{
    if (usernames.isEmpty())
        return {};
    if (usernames.size() == 1)
        return usernames.constFirst();
    if (usernames.size() <= shown)
        return tr("%1 and %2")
            .arg(usernames.first(usernames.size() - 1).join(u", "_s), usernames.constLast());
    const int more = int(usernames.size()) - shown;
    return tr("%1 and %n more", nullptr, more).arg(usernames.first(shown).join(u", "_s));
}

void ConfirmAction::ask(QWidget *parent, const Request &request, std::function<void()> accepted,
                        std::function<void()> closed)
{
    auto *box = new QMessageBox(parent);
    box->setObjectName(u"confirmDialog"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    box->setIcon(QMessageBox::Question);
    box->setWindowTitle(request.title);
    box->setText(request.usernames.isEmpty()
                     ? request.question
                     : request.question.arg(names(request.usernames, kNamesInQuestion)));
    if (request.usernames.size() > kNamesInQuestion)
        box->setDetailedText(request.usernames.join(u'\n'));
    QPushButton *act = box->addButton(request.actionText, QMessageBox::AcceptRole);
    act->setObjectName(u"confirmButton"_s);
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(act);
    QObject::connect(box, &QMessageBox::finished, box,
                     [box, act, accepted = std::move(accepted), closed = std::move(closed)] {
                         if (box->clickedButton() == act && accepted)
                             accepted();
                         if (closed)
                             closed();
                     });
    box->open();
}

} // namespace sd::ui
