#pragma once

#include "consolepage.h"

class QPlainTextEdit;

namespace sd::ui {

class OutboxTableModel;

// Every email: status, attempts, last error, a preview; Retry and Hold.
class OutboxPage : public ConsolePage
{
    Q_OBJECT
public:
    OutboxPage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent = nullptr);
    OutboxTableModel *model() const { return m_model; }
    QString previewText() const;

public slots:
    void reload() override;
    void retrySelected();
    void holdSelected();

private:
    void updateActions();
    void updatePreview();
    OutboxTableModel *m_model;
    QPlainTextEdit *m_preview = nullptr;
    QAction *m_retry = nullptr;
    QAction *m_hold = nullptr;
};

} // namespace sd::ui
