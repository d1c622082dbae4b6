#pragma once

#include "consolepage.h"

namespace sd::ui {

class AuditTableModel;

// Every audit entry, filterable by action and text; CSV export.
class AuditPage : public ConsolePage
{
    Q_OBJECT
public:
    AuditPage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent = nullptr);
    AuditTableModel *model() const { return m_model; }
    // Writes the entries the filter shows, on the backend thread; emits exported(ok).
    void exportCsv(const QString &path);

public slots:
    void reload() override;
    void exportWithDialog();

signals:
    void exported(bool ok);

private:
    AuditTableModel *m_model;
};

} // namespace sd::ui
