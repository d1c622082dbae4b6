#pragma once

#include "coreservices.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace sd::ui {

class ConsoleBackend;
class TimelineModel;

// The Signups tab's detail pane: who the current signup is, and its timeline (audit entries,
// emails, tokens, link hits) from core, loaded on the backend thread. Header and timeline are
// always of one signup, the one last given to showSignup (a load for another that ends late is
// dropped), or of none after clear().
class TimelinePane : public QWidget
{
    Q_OBJECT
public:
    TimelinePane(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent = nullptr);

    TimelineModel *model() const { return m_model; }
    // The signup shown (empty: none), from the moment showSignup is called.
    QString userId() const { return m_userId; }
    // The header's text (who, status, address), for tests.
    QString headerText() const;
    // Shows this signup's header at once and loads its timeline (again, when already shown).
    void showSignup(const core::SignupOverviewRow &row);
    void clear();

signals:
    void errorOccurred(const QString &message);

private:
    ConsoleBackend *m_backend;
    core::CoreServices &m_core;
    QString m_userId;
    TimelineModel *m_model;
    QLabel *m_header;
    QTableView *m_view;
};

} // namespace sd::ui
