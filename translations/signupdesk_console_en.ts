<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>sd::ui::AuditPage</name>
    <message numerus="yes">
        <source>Exported %n audit entries to %1.</source>
        <translation>
            <numerusform>Exported %n audit entry to %1.</numerusform>
            <numerusform>Exported %n audit entries to %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::ConfirmAction</name>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 and %n more</numerusform>
            <numerusform>%1 and %n more</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::DashboardPage</name>
    <message numerus="yes">
        <source>%1: %n signup(s)</source>
        <translation>
            <numerusform>%1: %n signup</numerusform>
            <numerusform>%1: %n signups</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n signup(s) from %1 to %2</source>
        <translation>
            <numerusform>%n signup from %1 to %2</numerusform>
            <numerusform>%n signups from %1 to %2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>No one signed up in the last %n day(s).</source>
        <translation>
            <numerusform>No one signed up in the last %n day.</numerusform>
            <numerusform>No one signed up in the last %n days.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Of %n signup(s): %1 verified (%2), %3 approved (%4), %5 rejected (%6).</source>
        <translation>
            <numerusform>Of %n signup: %1 verified (%2), %3 approved (%4), %5 rejected (%6).</numerusform>
            <numerusform>Of %n signups: %1 verified (%2), %3 approved (%4), %5 rejected (%6).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Median %1, 90th percentile %2 (%n signup(s) verified by link or code).</source>
        <translation>
            <numerusform>Median %1, 90th percentile %2 (%n signup verified by link or code).</numerusform>
            <numerusform>Median %1, 90th percentile %2 (%n signups verified by link or code).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::InvitationsPage</name>
    <message numerus="yes">
        <source>Revoked %n invitation(s): %1.</source>
        <translation>
            <numerusform>Revoked %n invitation: %1.</numerusform>
            <numerusform>Revoked %n invitations: %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::MainWindow</name>
    <message numerus="yes">
        <source>SignupDesk: %n signup(s) to approve</source>
        <translation>
            <numerusform>SignupDesk: %n signup to approve</numerusform>
            <numerusform>SignupDesk: %n signups to approve</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::OutboxPage</name>
    <message numerus="yes">
        <source>%n email(s) queued to be sent now.</source>
        <translation>
            <numerusform>%n email queued to be sent now.</numerusform>
            <numerusform>%n emails queued to be sent now.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n email(s) held; Retry sends them.</source>
        <translation>
            <numerusform>%n email held; Retry sends it.</numerusform>
            <numerusform>%n emails held; Retry sends them.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::OutboxTableModel</name>
    <message numerus="yes">
        <source>Status: %1, %n attempt(s)</source>
        <translation>
            <numerusform>Status: %1, %n attempt</numerusform>
            <numerusform>Status: %1, %n attempts</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::SignupTableModel</name>
    <message numerus="yes">
        <source>%n s</source>
        <translation>
            <numerusform>%n s</numerusform>
            <numerusform>%n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n min</numerusform>
            <numerusform>%n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h</source>
        <translation>
            <numerusform>%n h</numerusform>
            <numerusform>%n h</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n d</source>
        <translation>
            <numerusform>%n d</numerusform>
            <numerusform>%n d</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>burned (%n wrong codes)</source>
        <translation>
            <numerusform>burned (%n wrong code)</numerusform>
            <numerusform>burned (%n wrong codes)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>queued, retrying after %n attempts: %1</source>
        <translation>
            <numerusform>queued, retrying after %n attempt: %1</numerusform>
            <numerusform>queued, retrying after %n attempts: %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Rejecting in %n s…</source>
        <translation>
            <numerusform>Rejecting in %n s…</numerusform>
            <numerusform>Rejecting in %n s…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Approving in %n s…</source>
        <translation>
            <numerusform>Approving in %n s…</numerusform>
            <numerusform>Approving in %n s…</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::SignupsPage</name>
    <message numerus="yes">
        <source>%1: %n of %2 failed. %3</source>
        <translation>
            <numerusform>%1: %n of %2 failed. %3</numerusform>
            <numerusform>%1: %n of %2 failed. %3</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>(%n cancelled)</source>
        <translation>
            <numerusform>(%n cancelled)</numerusform>
            <numerusform>(%n cancelled)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n selected signup(s) are not pending approval and were skipped.</source>
        <translation>
            <numerusform>%n selected signup is not pending approval and was skipped.</numerusform>
            <numerusform>%n selected signups are not pending approval and were skipped.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n signup(s) approved.</source>
        <translation>
            <numerusform>%n signup approved.</numerusform>
            <numerusform>%n signups approved.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n selected signup(s) cannot be rejected (already active, or being rejected).</source>
        <translation>
            <numerusform>%n selected signup cannot be rejected (already active, or being rejected).</numerusform>
            <numerusform>%n selected signups cannot be rejected (already active, or being rejected).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n selected signup(s) are not pending verification and were skipped.</source>
        <translation>
            <numerusform>%n selected signup is not pending verification and was skipped.</numerusform>
            <numerusform>%n selected signups are not pending verification and were skipped.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Verification resent for %n signup(s).</source>
        <translation>
            <numerusform>Verification resent for %n signup.</numerusform>
            <numerusform>Verification resent for %n signups.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Verification revoked for %n signup(s).</source>
        <translation>
            <numerusform>Verification revoked for %n signup.</numerusform>
            <numerusform>Verification revoked for %n signups.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n signup(s) marked verified.</source>
        <translation>
            <numerusform>%n signup marked verified.</numerusform>
            <numerusform>%n signups marked verified.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n signup(s) rejected.</source>
        <translation>
            <numerusform>%n signup rejected.</numerusform>
            <numerusform>%n signups rejected.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::UsersPage</name>
    <message numerus="yes">
        <source>Disabled %n account(s), their sessions ended: %1.</source>
        <translation>
            <numerusform>Disabled %n account, its sessions ended: %1.</numerusform>
            <numerusform>Disabled %n accounts, their sessions ended: %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Enabled %n account(s): %1.</source>
        <translation>
            <numerusform>Enabled %n account: %1.</numerusform>
            <numerusform>Enabled %n accounts: %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Sessions ended for %n account(s): %1.</source>
        <translation>
            <numerusform>Sessions ended for %n account: %1.</numerusform>
            <numerusform>Sessions ended for %n accounts: %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Second factor turned off for %n account(s): %1.</source>
        <translation>
            <numerusform>Second factor turned off for %n account: %1.</numerusform>
            <numerusform>Second factor turned off for %n accounts: %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::WebhookTableModel</name>
    <message numerus="yes">
        <source>Retry in %n s</source>
        <comment>a failed delivery is tried again in that many seconds</comment>
        <translation>
            <numerusform>Retry in %n s</numerusform>
            <numerusform>Retry in %n s</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::WebhooksPage</name>
    <message numerus="yes">
        <source>%n webhook delivery(s) queued to be sent now.</source>
        <translation>
            <numerusform>%n webhook delivery queued to be sent now.</numerusform>
            <numerusform>%n webhook deliveries queued to be sent now.</numerusform>
        </translation>
    </message>
</context>
</TS>
