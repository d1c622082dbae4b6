#pragma once

#include "coreservices.h"

#include <QWidget>

#include <functional>

class QLabel;
class QTableView;

namespace sd::ui {

class ConsoleBackend;
class TimelineModel;

// The Signups tab's detail pane: who the current signup is, and its timeline (audit entries,
// emails, tokens, link hits) from core, loaded on the backend thread.
class TimelinePane : public QWidget
{
    Q_OBJECT
public:
    // `currentUserId`: the signup the list shows as current now (a load for another one that
    // ends late is dropped).
    TimelinePane(ConsoleBackend *backend, core::CoreServices &core,
                 std::function<QString()> currentUserId, QWidget *parent = nullptr);

    TimelineModel *model() const { return m_model; }
    // The signup whose timeline is shown (empty: none).
    QString userId() const;
    // Shows this signup (`row` may be null: the header stays) and loads its timeline.
    void showSignup(const QString &userId, const core::SignupOverviewRow *row);
    void clear();

signals:
    void errorOccurred(const QString &message);

private:
    ConsoleBackend *m_backend;
    core::CoreServices &m_core;
    std::function<QString()> m_currentUserId;
    TimelineModel *m_model;
    QLabel *m_header;
    QTableView *m_view;
};

} // namespace sd::ui
