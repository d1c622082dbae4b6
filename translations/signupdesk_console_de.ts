<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ErrorMessages</name>
    <message>
        <source>This signup no longer exists (it may have been rejected elsewhere).</source>
        <translation>Diese Registrierung existiert nicht mehr (sie wurde vielleicht an anderer Stelle abgelehnt).</translation>
    </message>
    <message>
        <source>This signup changed in the meantime and cannot take this action any more.</source>
        <translation>Diese Registrierung hat sich inzwischen geändert; diese Aktion ist nicht mehr möglich.</translation>
    </message>
    <message>
        <source>Some required information is missing (for example the reason).</source>
        <translation>Erforderliche Angaben fehlen (zum Beispiel die Begründung).</translation>
    </message>
    <message>
        <source>The database does not answer. Check the connection and try again.</source>
        <translation>Die Datenbank antwortet nicht. Prüfen Sie die Verbindung und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>The server is busy. Try again in a moment.</source>
        <translation>Der Server ist ausgelastet. Versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <source>This action is not allowed.</source>
        <translation>Diese Aktion ist nicht erlaubt.</translation>
    </message>
    <message>
        <source>Something went wrong inside SignupDesk; the log has the details.</source>
        <translation>In SignupDesk ist ein interner Fehler aufgetreten; Einzelheiten stehen im Protokoll.</translation>
    </message>
</context>
<context>
    <name>sd::ui::AuditDetails</name>
    <message>
        <source>by the user</source>
        <translation>durch den Benutzer</translation>
    </message>
    <message>
        <source>by an administrator</source>
        <translation>durch einen Administrator</translation>
    </message>
    <message>
        <source>too many wrong codes</source>
        <translation>zu viele falsche Codes</translation>
    </message>
    <message>
        <source>second factor turned off by an administrator</source>
        <translation>zweiter Faktor von einem Administrator ausgeschaltet</translation>
    </message>
    <message>
        <source>with a link</source>
        <translation>per Link</translation>
    </message>
    <message>
        <source>with a code</source>
        <translation>per Code</translation>
    </message>
    <message>
        <source>with the confirmation token</source>
        <translation>per Bestätigungstoken</translation>
    </message>
    <message>
        <source>with a signed link</source>
        <translation>per signiertem Link</translation>
    </message>
    <message>
        <source>with an email link</source>
        <translation>per E-Mail-Link</translation>
    </message>
    <message>
        <source>through GitHub or Google</source>
        <translation>über GitHub oder Google</translation>
    </message>
    <message>
        <source>with an authenticator code</source>
        <translation>per Authenticator-Code</translation>
    </message>
    <message>
        <source>with a recovery code</source>
        <translation>per Wiederherstellungscode</translation>
    </message>
    <message>
        <source>second-factor code when logging in</source>
        <translation>Code des zweiten Faktors bei der Anmeldung</translation>
    </message>
    <message>
        <source>recovery code when logging in</source>
        <translation>Wiederherstellungscode bei der Anmeldung</translation>
    </message>
    <message>
        <source>setting up the second factor</source>
        <translation>Einrichtung des zweiten Faktors</translation>
    </message>
    <message>
        <source>password asked again before a change</source>
        <translation>Passwort vor einer Änderung erneut abgefragt</translation>
    </message>
    <message>
        <source>turning the second factor on</source>
        <translation>Einschalten des zweiten Faktors</translation>
    </message>
    <message>
        <source>turning the second factor off</source>
        <translation>Ausschalten des zweiten Faktors</translation>
    </message>
    <message>
        <source>making new recovery codes</source>
        <translation>Erzeugen neuer Wiederherstellungscodes</translation>
    </message>
    <message>
        <source>changing the password</source>
        <translation>Ändern des Passworts</translation>
    </message>
    <message>
        <source>changing the email address</source>
        <translation>Ändern der E-Mail-Adresse</translation>
    </message>
    <message>
        <source>deleting the account</source>
        <translation>Löschen des Kontos</translation>
    </message>
    <message>
        <source>pending verification</source>
        <translation>wartet auf Bestätigung</translation>
    </message>
    <message>
        <source>pending approval</source>
        <translation>wartet auf Genehmigung</translation>
    </message>
    <message>
        <source>active</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>deaktiviert</translation>
    </message>
    <message>
        <source>username</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>apps</source>
        <translation>Apps</translation>
    </message>
    <message>
        <source>groups</source>
        <translation>Gruppen</translation>
    </message>
    <message>
        <source>sessions ended</source>
        <translation>beendete Sitzungen</translation>
    </message>
    <message>
        <source>links revoked</source>
        <translation>widerrufene Links</translation>
    </message>
    <message>
        <source>was</source>
        <translation>vorher</translation>
    </message>
    <message>
        <source>provider</source>
        <translation>Anbieter</translation>
    </message>
    <message>
        <source>provider&apos;s user id</source>
        <translation>Benutzer-ID beim Anbieter</translation>
    </message>
    <message>
        <source>from %1</source>
        <translation>von %1</translation>
    </message>
    <message>
        <source>from %1; stand-in account %2, not kept</source>
        <translation>von %1; Platzhalterkonto %2, nicht behalten</translation>
    </message>
    <message>
        <source>with an email link from %1; accepted the terms of service %2</source>
        <translation>per E-Mail-Link von %1; Nutzungsbedingungen %2 akzeptiert</translation>
    </message>
    <message>
        <source>through %1 from %2</source>
        <translation>über %1 von %2</translation>
    </message>
    <message>
        <source>through %1 from %2; now %3</source>
        <translation>über %1 von %2; jetzt %3</translation>
    </message>
    <message>
        <source>%1 through %2 from %3: %4</source>
        <translation>%1 über %2 von %3: %4</translation>
    </message>
    <message>
        <source>%1 sign-in linked by its verified address</source>
        <translation>%1-Anmeldung über ihre bestätigte Adresse verknüpft</translation>
    </message>
    <message>
        <source>username %1; a verified %2 sign-in took the address</source>
        <translation>Benutzername %1; eine bestätigte %2-Anmeldung hat die Adresse übernommen</translation>
    </message>
    <message>
        <source>locked for %1 s after %2 failures</source>
        <translation>%1 s gesperrt nach %2 Fehlversuchen</translation>
    </message>
    <message>
        <source>invitation %1, from %2</source>
        <translation>Einladung %1, von %2</translation>
    </message>
    <message>
        <source>%1 from %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>; </source>
        <translation>; </translation>
    </message>
    <message>
        <source>%1 link opened (%2) from %3: %4</source>
        <translation>Link „%1“ geöffnet (%2) von %3: %4</translation>
    </message>
</context>
<context>
    <name>sd::ui::AuditPage</name>
    <message>
        <source>Search actor, subject, detail…</source>
        <translation>Nach Akteur, Objekt, Details suchen…</translation>
    </message>
    <message>
        <source>All actions</source>
        <translation>Alle Aktionen</translation>
    </message>
    <message>
        <source>E&amp;xport CSV…</source>
        <translation>Als CSV e&amp;xportieren…</translation>
    </message>
    <message>
        <source>Export the audit log</source>
        <translation>Audit-Protokoll exportieren</translation>
    </message>
    <message>
        <source>audit-log.csv</source>
        <translation>audit-protokoll.csv</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>%1 konnte nicht geschrieben werden: %2</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n audit entries to %1.</source>
        <translation>
            <numerusform>%n Audit-Eintrag nach %1 exportiert.</numerusform>
            <numerusform>%n Audit-Einträge nach %1 exportiert.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::AuditTableModel</name>
    <message>
        <source>Time</source>
        <translation>Zeitpunkt</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>Akteur</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Objekt</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>sd::ui::AuditWords</name>
    <message>
        <source>Invitation sent</source>
        <translation>Einladung gesendet</translation>
    </message>
    <message>
        <source>Invitation revoked</source>
        <translation>Einladung widerrufen</translation>
    </message>
    <message>
        <source>Invitation accepted</source>
        <translation>Einladung angenommen</translation>
    </message>
    <message>
        <source>Password correct, second factor asked</source>
        <translation>Passwort richtig, zweiter Faktor verlangt</translation>
    </message>
    <message>
        <source>GitHub or Google sign-in refused</source>
        <translation>Anmeldung über GitHub oder Google abgelehnt</translation>
    </message>
    <message>
        <source>Second factor setup started</source>
        <translation>Einrichtung des zweiten Faktors begonnen</translation>
    </message>
    <message>
        <source>Second factor turned on</source>
        <translation>Zweiter Faktor eingeschaltet</translation>
    </message>
    <message>
        <source>Second factor turned off</source>
        <translation>Zweiter Faktor ausgeschaltet</translation>
    </message>
    <message>
        <source>Second factor reset by an admin</source>
        <translation>Zweiter Faktor von einem Admin zurückgesetzt</translation>
    </message>
    <message>
        <source>Wrong second-factor code</source>
        <translation>Falscher Code des zweiten Faktors</translation>
    </message>
    <message>
        <source>Recovery code used</source>
        <translation>Wiederherstellungscode verwendet</translation>
    </message>
    <message>
        <source>New recovery codes made</source>
        <translation>Neue Wiederherstellungscodes erstellt</translation>
    </message>
    <message>
        <source>Signed up</source>
        <translation>Registriert</translation>
    </message>
    <message>
        <source>Signed up with GitHub or Google</source>
        <translation>Mit GitHub oder Google registriert</translation>
    </message>
    <message>
        <source>Signup with an address already registered</source>
        <translation>Registrierung mit einer bereits registrierten Adresse</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Genehmigt</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Super-user created</source>
        <translation>Superuser angelegt</translation>
    </message>
    <message>
        <source>Account disabled</source>
        <translation>Konto deaktiviert</translation>
    </message>
    <message>
        <source>Account enabled</source>
        <translation>Konto aktiviert</translation>
    </message>
    <message>
        <source>Sessions ended</source>
        <translation>Sitzungen beendet</translation>
    </message>
    <message>
        <source>Email verified</source>
        <translation>E-Mail bestätigt</translation>
    </message>
    <message>
        <source>Email marked verified by an admin</source>
        <translation>E-Mail von einem Admin als bestätigt markiert</translation>
    </message>
    <message>
        <source>Verification email resent</source>
        <translation>Bestätigungs-E-Mail erneut gesendet</translation>
    </message>
    <message>
        <source>Verification revoked by an admin</source>
        <translation>Bestätigung von einem Admin widerrufen</translation>
    </message>
    <message>
        <source>Verification failed</source>
        <translation>Bestätigung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Verification token issued</source>
        <translation>Bestätigungstoken ausgestellt</translation>
    </message>
    <message>
        <source>Verification token used</source>
        <translation>Bestätigungstoken verwendet</translation>
    </message>
    <message>
        <source>Verification token revoked</source>
        <translation>Bestätigungstoken widerrufen</translation>
    </message>
    <message>
        <source>Verification token burned</source>
        <translation>Bestätigungstoken gesperrt</translation>
    </message>
    <message>
        <source>Verification token expired</source>
        <translation>Bestätigungstoken abgelaufen</translation>
    </message>
    <message>
        <source>Email link page visited</source>
        <translation>Seite des E-Mail-Links aufgerufen</translation>
    </message>
    <message>
        <source>Logged in</source>
        <translation>Angemeldet</translation>
    </message>
    <message>
        <source>Login failed</source>
        <translation>Anmeldung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Locked out after failed logins</source>
        <translation>Nach fehlgeschlagenen Anmeldungen gesperrt</translation>
    </message>
    <message>
        <source>Login refused: locked out</source>
        <translation>Anmeldung abgewiesen: gesperrt</translation>
    </message>
    <message>
        <source>Login link sent</source>
        <translation>Anmeldelink gesendet</translation>
    </message>
    <message>
        <source>GitHub or Google sign-in linked</source>
        <translation>GitHub- oder Google-Anmeldung verknüpft</translation>
    </message>
    <message>
        <source>GitHub or Google sign-in unlinked</source>
        <translation>GitHub- oder Google-Anmeldung getrennt</translation>
    </message>
    <message>
        <source>GitHub or Google sign-in confirmed</source>
        <translation>GitHub- oder Google-Anmeldung bestätigt</translation>
    </message>
    <message>
        <source>GitHub or Google sign-in failed</source>
        <translation>GitHub- oder Google-Anmeldung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Unverified account replaced by a GitHub or Google sign-in</source>
        <translation>Unbestätigtes Konto durch eine GitHub- oder Google-Anmeldung ersetzt</translation>
    </message>
    <message>
        <source>Email queued</source>
        <translation>E-Mail in die Warteschlange gestellt</translation>
    </message>
    <message>
        <source>Email sent</source>
        <translation>E-Mail gesendet</translation>
    </message>
    <message>
        <source>Email delivery failed, will retry</source>
        <translation>E-Mail-Zustellung fehlgeschlagen, neuer Versuch folgt</translation>
    </message>
    <message>
        <source>Email delivery failed for good</source>
        <translation>E-Mail-Zustellung endgültig fehlgeschlagen</translation>
    </message>
    <message>
        <source>Email held</source>
        <translation>E-Mail zurückgehalten</translation>
    </message>
    <message>
        <source>Email retried</source>
        <translation>E-Mail erneut versucht</translation>
    </message>
    <message>
        <source>Signup closed</source>
        <translation>Registrierung gesperrt</translation>
    </message>
    <message>
        <source>Signup reopened</source>
        <translation>Registrierung wieder geöffnet</translation>
    </message>
    <message>
        <source>Approval required</source>
        <translation>Genehmigung erforderlich</translation>
    </message>
    <message>
        <source>Approval no longer required</source>
        <translation>Genehmigung nicht mehr erforderlich</translation>
    </message>
    <message>
        <source>Settings changed</source>
        <translation>Einstellungen geändert</translation>
    </message>
    <message>
        <source>system</source>
        <translation>System</translation>
    </message>
    <message>
        <source>console</source>
        <translation>Konsole</translation>
    </message>
    <message>
        <source>%1 (console)</source>
        <translation>%1 (Konsole)</translation>
    </message>
    <message>
        <source>command line</source>
        <translation>Kommandozeile</translation>
    </message>
    <message>
        <source>%1 (command line)</source>
        <translation>%1 (Kommandozeile)</translation>
    </message>
    <message>
        <source>the user</source>
        <translation>der Benutzer</translation>
    </message>
    <message>
        <source>%1 (the user)</source>
        <translation>%1 (der Benutzer)</translation>
    </message>
    <message>
        <source>admin %1</source>
        <translation>Admin %1</translation>
    </message>
    <message>
        <source>Display name changed by an admin</source>
        <translation>Anzeigename von einem Admin geändert</translation>
    </message>
    <message>
        <source>Account deleted</source>
        <translation>Konto gelöscht</translation>
    </message>
    <message>
        <source>Session ended</source>
        <translation>Sitzung beendet</translation>
    </message>
    <message>
        <source>Other sessions ended</source>
        <translation>Andere Sitzungen beendet</translation>
    </message>
    <message>
        <source>Password reset requested</source>
        <translation>Zurücksetzen des Passworts angefordert</translation>
    </message>
    <message>
        <source>Password reset failed</source>
        <translation>Zurücksetzen des Passworts fehlgeschlagen</translation>
    </message>
    <message>
        <source>Password reset</source>
        <translation>Passwort zurückgesetzt</translation>
    </message>
    <message>
        <source>Password changed</source>
        <translation>Passwort geändert</translation>
    </message>
    <message>
        <source>Email change requested</source>
        <translation>E-Mail-Änderung angefordert</translation>
    </message>
    <message>
        <source>Email change failed</source>
        <translation>E-Mail-Änderung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Email changed</source>
        <translation>E-Mail-Adresse geändert</translation>
    </message>
</context>
<context>
    <name>sd::ui::BulkProgress</name>
    <message>
        <source>%v of %m</source>
        <translation>%v von %m</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>sd::ui::ConfirmAction</name>
    <message>
        <source>%1 and %2</source>
        <translation>%1 und %2</translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 und %n weiterer</numerusform>
            <numerusform>%1 und %n weitere</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::ConsolePage</name>
    <message>
        <source>Search…</source>
        <translation>Suchen…</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
</context>
<context>
    <name>sd::ui::DashboardPage</name>
    <message>
        <source>%1%</source>
        <comment>a percentage</comment>
        <translation>%1&#xa0;%</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1&#xa0;Sek.</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1&#xa0;Min. %2&#xa0;Sek.</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1&#xa0;Min.</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1&#xa0;Std. %2&#xa0;Min.</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1&#xa0;Std.</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1&#xa0;Tg. %2&#xa0;Std.</translation>
    </message>
    <message>
        <source>%1 d</source>
        <translation>%1&#xa0;Tg.</translation>
    </message>
    <message>
        <source>d</source>
        <comment>unit: days</comment>
        <translation>Tg.</translation>
    </message>
    <message>
        <source>h</source>
        <comment>unit: hours</comment>
        <translation>Std.</translation>
    </message>
    <message>
        <source>min</source>
        <comment>unit: minutes</comment>
        <translation>Min.</translation>
    </message>
    <message>
        <source>≥ %1 %2</source>
        <comment>at least a duration</comment>
        <translation>≥ %1&#xa0;%2</translation>
    </message>
    <message>
        <source>%1–%2 %3</source>
        <comment>a range of durations in one unit</comment>
        <translation>%1–%2&#xa0;%3</translation>
    </message>
    <message>
        <source>%1 %2–%3 %4</source>
        <comment>a range of durations</comment>
        <translation>%1&#xa0;%2 – %3&#xa0;%4</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <source>Last 90 days</source>
        <translation>Letzte 90 Tage</translation>
    </message>
    <message>
        <source>&amp;Range:</source>
        <translation>&amp;Zeitraum:</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>Signups per day</source>
        <translation>Registrierungen pro Tag</translation>
    </message>
    <message>
        <source>Signups</source>
        <translation>Registrierungen</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n signup(s)</source>
        <translation>
            <numerusform>%1: %n Registrierung</numerusform>
            <numerusform>%1: %n Registrierungen</numerusform>
        </translation>
    </message>
    <message>
        <source>From signup to approval</source>
        <translation>Von der Registrierung zur Genehmigung</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Time to verify the email</source>
        <translation>Zeit bis zur E-Mail-Bestätigung</translation>
    </message>
    <message numerus="yes">
        <source>%n signup(s) from %1 to %2</source>
        <translation>
            <numerusform>%n Registrierung vom %1 bis %2</numerusform>
            <numerusform>%n Registrierungen vom %1 bis %2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>No one signed up in the last %n day(s).</source>
        <translation>
            <numerusform>Keine Registrierung innerhalb von %n Tag.</numerusform>
            <numerusform>Keine Registrierungen in den letzten %n Tagen.</numerusform>
        </translation>
    </message>
    <message>
        <source>The charts appear with the first signup and follow new ones live.</source>
        <translation>Die Diagramme erscheinen mit der ersten Registrierung und zeigen neue sofort an.</translation>
    </message>
    <message>
        <source>d MMM</source>
        <comment>date format of the day labels</comment>
        <translation>d. MMM</translation>
    </message>
    <message>
        <source>Rejected: %1 (%2)</source>
        <translation>Abgelehnt: %1 (%2)</translation>
    </message>
    <message>
        <source>Approved: %1 (%2)</source>
        <translation>Genehmigt: %1 (%2)</translation>
    </message>
    <message>
        <source>Verified: %1 (%2)</source>
        <translation>Bestätigt: %1 (%2)</translation>
    </message>
    <message>
        <source>Signed up: %1</source>
        <translation>Registriert: %1</translation>
    </message>
    <message numerus="yes">
        <source>Of %n signup(s): %1 verified (%2), %3 approved (%4), %5 rejected (%6).</source>
        <translation>
            <numerusform>Von %n Registrierung: %1 bestätigt (%2), %3 genehmigt (%4), %5 abgelehnt (%6).</numerusform>
            <numerusform>Von %n Registrierungen: %1 bestätigt (%2), %3 genehmigt (%4), %5 abgelehnt (%6).</numerusform>
        </translation>
    </message>
    <message>
        <source>No signup of this range has verified its email yet.</source>
        <translation>Noch keine Registrierung dieses Zeitraums hat ihre E-Mail bestätigt.</translation>
    </message>
    <message numerus="yes">
        <source>Median %1, 90th percentile %2 (%n signup(s) verified by link or code).</source>
        <translation>
            <numerusform>Median %1, 90. Perzentil %2 (%n Registrierung per Link oder Code bestätigt).</numerusform>
            <numerusform>Median %1, 90. Perzentil %2 (%n Registrierungen per Link oder Code bestätigt).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::DurationEdit</name>
    <message>
        <source>seconds</source>
        <translation>Sekunden</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>Minuten</translation>
    </message>
    <message>
        <source>hours</source>
        <translation>Stunden</translation>
    </message>
    <message>
        <source>days</source>
        <translation>Tage</translation>
    </message>
</context>
<context>
    <name>sd::ui::IdentityTableModel</name>
    <message>
        <source>GitHub</source>
        <translation>GitHub</translation>
    </message>
    <message>
        <source>Google</source>
        <translation>Google</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>Anbieter</translation>
    </message>
    <message>
        <source>Provider email</source>
        <translation>E-Mail beim Anbieter</translation>
    </message>
    <message>
        <source>Linked since</source>
        <translation>Verknüpft seit</translation>
    </message>
</context>
<context>
    <name>sd::ui::InvitationTableModel</name>
    <message>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Angenommen</translation>
    </message>
    <message>
        <source>Revoked</source>
        <translation>Widerrufen</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Abgelaufen</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>Anzeigename</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Apps</source>
        <translation>Apps</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>Gruppen</translation>
    </message>
    <message>
        <source>Invited</source>
        <translation>Eingeladen am</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>Gültig bis</translation>
    </message>
    <message>
        <source>Invited by</source>
        <translation>Eingeladen von</translation>
    </message>
</context>
<context>
    <name>sd::ui::InvitationsPage</name>
    <message>
        <source>All invitations</source>
        <translation>Alle Einladungen</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Angenommen</translation>
    </message>
    <message>
        <source>Revoked</source>
        <translation>Widerrufen</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Abgelaufen</translation>
    </message>
    <message>
        <source>&amp;Invite…</source>
        <translation>E&amp;inladen…</translation>
    </message>
    <message>
        <source>&amp;Revoke</source>
        <translation>&amp;Widerrufen</translation>
    </message>
    <message>
        <source>Invited %1; the invitation email is queued.</source>
        <translation>%1 eingeladen; die Einladungs-E-Mail steht in der Warteschlange.</translation>
    </message>
    <message>
        <source>This invitation no longer exists.</source>
        <translation>Diese Einladung gibt es nicht mehr.</translation>
    </message>
    <message>
        <source>This invitation is no longer pending (accepted, revoked or expired meanwhile).</source>
        <translation>Diese Einladung steht nicht mehr aus (inzwischen angenommen, widerrufen oder abgelaufen).</translation>
    </message>
    <message>
        <source>Revoke invitations</source>
        <translation>Einladungen widerrufen</translation>
    </message>
    <message>
        <source>Revoke the invitation of %1? Its link stops working at once.</source>
        <translation>Die Einladung von %1 widerrufen? Ihr Link funktioniert dann sofort nicht mehr.</translation>
    </message>
    <message numerus="yes">
        <source>Revoked %n invitation(s): %1.</source>
        <translation>
            <numerusform>%n Einladung widerrufen: %1.</numerusform>
            <numerusform>%n Einladungen widerrufen: %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::InviteDialog</name>
    <message>
        <source>Invite someone</source>
        <translation>Jemanden einladen</translation>
    </message>
    <message>
        <source>They get an email with a link to create an active account with this address, even while signup is closed.</source>
        <translation>Die Person bekommt eine E-Mail mit einem Link, um ein aktives Konto mit dieser Adresse anzulegen, auch wenn die Registrierung gesperrt ist.</translation>
    </message>
    <message>
        <source>name@example.com</source>
        <translation>name@example.com</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Optional</translation>
    </message>
    <message>
        <source>None ticked: the first configured app.</source>
        <translation>Keine angekreuzt: die erste konfigurierte App.</translation>
    </message>
    <message>
        <source>Comma-separated; optional</source>
        <translation>Durch Kommas getrennt; optional</translation>
    </message>
    <message>
        <source>Comma-separated; empty: %1</source>
        <translation>Durch Kommas getrennt; leer: %1</translation>
    </message>
    <message>
        <source>English</source>
        <translation>Englisch</translation>
    </message>
    <message>
        <source>French</source>
        <translation>Französisch</translation>
    </message>
    <message>
        <source>German</source>
        <translation>Deutsch</translation>
    </message>
    <message>
        <source>&amp;Email:</source>
        <translation>&amp;E-Mail:</translation>
    </message>
    <message>
        <source>&amp;Display name:</source>
        <translation>&amp;Anzeigename:</translation>
    </message>
    <message>
        <source>&amp;Apps:</source>
        <translation>A&amp;pps:</translation>
    </message>
    <message>
        <source>&amp;Groups:</source>
        <translation>&amp;Gruppen:</translation>
    </message>
    <message>
        <source>Email &amp;language:</source>
        <translation>&amp;Sprache der E-Mail:</translation>
    </message>
    <message>
        <source>Send invitation</source>
        <translation>Einladung senden</translation>
    </message>
    <message>
        <source>An account or a pending invitation already has this address.</source>
        <translation>Ein Konto oder eine ausstehende Einladung hat diese Adresse bereits.</translation>
    </message>
    <message>
        <source>This is not a valid email address.</source>
        <translation>Das ist keine gültige E-Mail-Adresse.</translation>
    </message>
    <message>
        <source>This display name is too long or contains characters that are not allowed.</source>
        <translation>Dieser Anzeigename ist zu lang oder enthält nicht erlaubte Zeichen.</translation>
    </message>
    <message>
        <source>One of these apps is no longer configured.</source>
        <translation>Eine dieser Apps ist nicht mehr konfiguriert.</translation>
    </message>
    <message>
        <source>A group name is empty or contains characters that are not allowed.</source>
        <translation>Ein Gruppenname ist leer oder enthält nicht erlaubte Zeichen.</translation>
    </message>
</context>
<context>
    <name>sd::ui::MainWindow</name>
    <message>
        <source>Mail (%1): last sent %2</source>
        <translation>E-Mail (%1): zuletzt gesendet um %2</translation>
    </message>
    <message>
        <source>Mail (%1): an email failed for good: %2</source>
        <translation>E-Mail (%1): eine E-Mail ist endgültig fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Mail (%1): failing, will retry: %2</source>
        <translation>E-Mail (%1): fehlgeschlagen, neuer Versuch folgt: %2</translation>
    </message>
    <message>
        <source>SignupDesk</source>
        <translation>SignupDesk</translation>
    </message>
    <message>
        <source>Not listening</source>
        <translation>Nicht erreichbar</translation>
    </message>
    <message>
        <source>Listening on %1</source>
        <translation>Erreichbar unter %1</translation>
    </message>
    <message>
        <source>Database: checking…</source>
        <translation>Datenbank: wird geprüft…</translation>
    </message>
    <message>
        <source>Mail (%1): idle</source>
        <translation>E-Mail (%1): im Leerlauf</translation>
    </message>
    <message>
        <source>Requests in the last minute: %1</source>
        <translation>Anfragen in der letzten Minute: %1</translation>
    </message>
    <message>
        <source>Si&amp;gnups</source>
        <translation>Re&amp;gistrierungen</translation>
    </message>
    <message>
        <source>&amp;Users</source>
        <translation>&amp;Benutzer</translation>
    </message>
    <message>
        <source>&amp;Outbox</source>
        <translation>&amp;Postausgang</translation>
    </message>
    <message>
        <source>Audit &amp;log</source>
        <translation>&amp;Audit-Protokoll</translation>
    </message>
    <message>
        <source>Re&amp;load</source>
        <translation>&amp;Neu laden</translation>
    </message>
    <message>
        <source>&amp;Find</source>
        <translation>&amp;Suchen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Signups</source>
        <translation>&amp;Registrierungen</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Aktionen</translation>
    </message>
    <message>
        <source>New signup</source>
        <translation>Neue Registrierung</translation>
    </message>
    <message>
        <source>%1 &lt;%2&gt; signed up.</source>
        <translation>%1 &lt;%2&gt; hat sich registriert.</translation>
    </message>
    <message>
        <source>%1 to approve, %2 awaiting verification</source>
        <translation>%1 zu genehmigen, %2 noch nicht bestätigt</translation>
    </message>
    <message>
        <source>SignupDesk (%1)</source>
        <translation>SignupDesk (%1)</translation>
    </message>
    <message numerus="yes">
        <source>SignupDesk: %n signup(s) to approve</source>
        <translation>
            <numerusform>SignupDesk: %n Registrierung zu genehmigen</numerusform>
            <numerusform>SignupDesk: %n Registrierungen zu genehmigen</numerusform>
        </translation>
    </message>
    <message>
        <source>Database: %1, OK</source>
        <translation>Datenbank: %1, OK</translation>
    </message>
    <message>
        <source>Database: %1, not answering</source>
        <translation>Datenbank: %1, antwortet nicht</translation>
    </message>
    <message>
        <source>&amp;Dashboard</source>
        <translation>Über&amp;sicht</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>&amp;Close signup now</source>
        <translation>Neue Registrierungen s&amp;perren</translation>
    </message>
    <message>
        <source>Refuse every new signup at once, on every instance sharing the database (again to reopen)</source>
        <translation>Jede neue Registrierung sofort ablehnen, auf allen Instanzen mit dieser Datenbank (erneut auslösen, um wieder zu öffnen)</translation>
    </message>
    <message>
        <source>New accounts wait for an admin&apos;s approval after confirming their email, on every instance sharing the database</source>
        <translation>Neue Konten warten nach der E-Mail-Bestätigung auf die Genehmigung durch einen Admin, auf allen Instanzen mit dieser Datenbank</translation>
    </message>
    <message>
        <source>Signup control</source>
        <translation>Registrierungssteuerung</translation>
    </message>
    <message>
        <source>SIGNUP CLOSED</source>
        <translation>REGISTRIERUNG GESPERRT</translation>
    </message>
    <message>
        <source>New signups are refused (Signups → Close signup now to reopen).</source>
        <translation>Neue Registrierungen werden abgelehnt (Registrierungen → Neue Registrierungen sperren, um wieder zu öffnen).</translation>
    </message>
    <message>
        <source>Signup open, approval required</source>
        <translation>Registrierung offen, Genehmigung erforderlich</translation>
    </message>
    <message>
        <source>Signup open, no approval</source>
        <translation>Registrierung offen, ohne Genehmigung</translation>
    </message>
    <message>
        <source>Signup is closed: new signups are refused.</source>
        <translation>Die Registrierung ist gesperrt: Neue Registrierungen werden abgelehnt.</translation>
    </message>
    <message>
        <source>Signup is open again.</source>
        <translation>Die Registrierung ist wieder offen.</translation>
    </message>
    <message>
        <source>Approval is required: new accounts wait for an admin.</source>
        <translation>Genehmigung erforderlich: Neue Konten warten auf einen Admin.</translation>
    </message>
    <message>
        <source>Approval is no longer required: confirmed accounts are active at once.</source>
        <translation>Genehmigung nicht mehr erforderlich: Bestätigte Konten sind sofort aktiv.</translation>
    </message>
    <message>
        <source>Loading signups…</source>
        <translation>Registrierungen werden geladen…</translation>
    </message>
    <message>
        <source>F&amp;orce approval</source>
        <translation>Genehmigung er&amp;zwingen</translation>
    </message>
    <message>
        <source>Re&amp;open signup</source>
        <translation>Registrierung wieder ö&amp;ffnen</translation>
    </message>
    <message>
        <source>&amp;Webhooks</source>
        <translation>&amp;Webhooks</translation>
    </message>
    <message>
        <source>&amp;Invitations</source>
        <translation>E&amp;inladungen</translation>
    </message>
</context>
<context>
    <name>sd::ui::MessageBar</name>
    <message>
        <source>Dismiss</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>sd::ui::OutboxPage</name>
    <message>
        <source>Select an email to see its preview.</source>
        <translation>Wählen Sie eine E-Mail aus, um ihre Vorschau zu sehen.</translation>
    </message>
    <message>
        <source>All emails</source>
        <translation>Alle E-Mails</translation>
    </message>
    <message>
        <source>Waiting (queued, sending)</source>
        <translation>Wartend (in Warteschlange, wird gesendet)</translation>
    </message>
    <message>
        <source>Failed for good</source>
        <translation>Endgültig fehlgeschlagen</translation>
    </message>
    <message>
        <source>Held</source>
        <translation>Zurückgehalten</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <source>&amp;Retry now</source>
        <translation>&amp;Jetzt erneut versuchen</translation>
    </message>
    <message>
        <source>&amp;Hold</source>
        <translation>&amp;Zurückhalten</translation>
    </message>
    <message>
        <source>This email no longer exists.</source>
        <translation>Diese E-Mail existiert nicht mehr.</translation>
    </message>
    <message>
        <source>This email changed in the meantime (%1); it may be sending now.</source>
        <translation>Diese E-Mail hat sich inzwischen geändert (%1); vielleicht wird sie gerade gesendet.</translation>
    </message>
    <message numerus="yes">
        <source>%n email(s) queued to be sent now.</source>
        <translation>
            <numerusform>%n E-Mail zum sofortigen Senden eingereiht.</numerusform>
            <numerusform>%n E-Mails zum sofortigen Senden eingereiht.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n email(s) held; Retry sends them.</source>
        <translation>
            <numerusform>%n E-Mail zurückgehalten; „Jetzt erneut versuchen“ sendet sie.</numerusform>
            <numerusform>%n E-Mails zurückgehalten; „Jetzt erneut versuchen“ sendet sie.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::OutboxTableModel</name>
    <message>
        <source>Verification</source>
        <translation>Bestätigung</translation>
    </message>
    <message>
        <source>Already registered</source>
        <translation>Bereits registriert</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>Willkommen</translation>
    </message>
    <message>
        <source>Rejection</source>
        <translation>Ablehnung</translation>
    </message>
    <message>
        <source>Login link</source>
        <translation>Anmeldelink</translation>
    </message>
    <message>
        <source>Queued, retry %1</source>
        <translation>In Warteschlange, neuer Versuch %1</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>In Warteschlange</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Wird gesendet</translation>
    </message>
    <message>
        <source>Sent %1</source>
        <translation>Gesendet %1</translation>
    </message>
    <message>
        <source>Failed for good</source>
        <translation>Endgültig fehlgeschlagen</translation>
    </message>
    <message>
        <source>Held</source>
        <translation>Zurückgehalten</translation>
    </message>
    <message>
        <source>To: %1</source>
        <translation>An: %1</translation>
    </message>
    <message>
        <source>From: %1</source>
        <translation>Von: %1</translation>
    </message>
    <message>
        <source>Subject: %1</source>
        <translation>Betreff: %1</translation>
    </message>
    <message>
        <source>Kind: %1, queued %2</source>
        <translation>Art: %1, eingereiht am %2</translation>
    </message>
    <message numerus="yes">
        <source>Status: %1, %n attempt(s)</source>
        <translation>
            <numerusform>Status: %1, %n Versuch</numerusform>
            <numerusform>Status: %1, %n Versuche</numerusform>
        </translation>
    </message>
    <message>
        <source>Server&apos;s reply: %1</source>
        <translation>Antwort des Servers: %1</translation>
    </message>
    <message>
        <source>Last error: %1</source>
        <translation>Letzter Fehler: %1</translation>
    </message>
    <message>
        <source>The body was redacted after sending: it held a link with a token.</source>
        <translation>Der Inhalt wurde nach dem Senden geschwärzt: Er enthielt einen Link mit einem Token.</translation>
    </message>
    <message>
        <source>The body holds a link with a live token, so the console does not show it; it is redacted once the email is sent.</source>
        <translation>Der Inhalt enthält einen Link mit einem gültigen Token und wird daher nicht angezeigt; nach dem Senden wird er geschwärzt.</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Recipient</source>
        <translation>Empfänger</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Betreff</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>Queued</source>
        <comment>column header: when the email was queued</comment>
        <translation>Eingereiht</translation>
    </message>
    <message>
        <source>Password reset</source>
        <translation>Passwort zurücksetzen</translation>
    </message>
    <message>
        <source>Password changed</source>
        <translation>Passwort geändert</translation>
    </message>
    <message>
        <source>Email change</source>
        <translation>Adressänderung</translation>
    </message>
    <message>
        <source>Email change notice</source>
        <translation>Hinweis zur Adressänderung</translation>
    </message>
    <message>
        <source>Goodbye</source>
        <translation>Abschied</translation>
    </message>
    <message>
        <source>Invitation</source>
        <translation>Einladung</translation>
    </message>
    <message>
        <source>Second factor turned on</source>
        <translation>Zweiter Faktor eingeschaltet</translation>
    </message>
    <message>
        <source>Second factor turned off</source>
        <translation>Zweiter Faktor ausgeschaltet</translation>
    </message>
    <message>
        <source>Second factor reset</source>
        <translation>Zweiter Faktor zurückgesetzt</translation>
    </message>
    <message>
        <source>New recovery codes</source>
        <translation>Neue Wiederherstellungscodes</translation>
    </message>
    <message>
        <source>Recovery code used</source>
        <translation>Wiederherstellungscode verwendet</translation>
    </message>
</context>
<context>
    <name>sd::ui::ReasonDialog</name>
    <message>
        <source>Type a reason or pick a preset</source>
        <translation>Begründung eingeben oder Vorlage wählen</translation>
    </message>
    <message>
        <source>&amp;Save as preset</source>
        <translation>Als &amp;Vorlage speichern</translation>
    </message>
    <message>
        <source>&amp;Delete preset</source>
        <translation>Vorlage &amp;löschen</translation>
    </message>
</context>
<context>
    <name>sd::ui::SessionTableModel</name>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Begonnen</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>Zuletzt benutzt</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Browser</source>
        <translation>Browser</translation>
    </message>
</context>
<context>
    <name>sd::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Settings file: %1</source>
        <translation>Einstellungsdatei: %1</translation>
    </message>
    <message>
        <source>Settings file: %1 (made on the first save)</source>
        <translation>Einstellungsdatei: %1 (wird beim ersten Speichern angelegt)</translation>
    </message>
    <message>
        <source>&amp;Signup</source>
        <translation>&amp;Registrierung</translation>
    </message>
    <message>
        <source>&amp;Mail</source>
        <translation>&amp;E-Mail</translation>
    </message>
    <message>
        <source>&amp;TLS</source>
        <translation>&amp;TLS</translation>
    </message>
    <message>
        <source>&amp;Console</source>
        <translation>&amp;Konsole</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>PEM files (*.pem *.crt *.key *.cer);;All files (*)</source>
        <translation>PEM-Dateien (*.pem *.crt *.key *.cer);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>These apply at once, on every instance sharing the database, and are saved to the settings file.</source>
        <translation>Diese Einstellungen gelten sofort, auf allen Instanzen mit dieser Datenbank, und werden in der Einstellungsdatei gespeichert.</translation>
    </message>
    <message>
        <source>Accept new signups</source>
        <translation>Neue Registrierungen annehmen</translation>
    </message>
    <message>
        <source>New accounts wait for an admin&apos;s approval</source>
        <translation>Neue Konten warten auf die Genehmigung durch einen Admin</translation>
    </message>
    <message>
        <source>App code names a signup may ask for; the first is the default. Double-click a name to edit it.</source>
        <translation>Code-Namen der Apps, die eine Registrierung anfordern kann; der erste ist die Vorgabe. Doppelklicken Sie auf einen Namen, um ihn zu bearbeiten.</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>Ent&amp;fernen</translation>
    </message>
    <message>
        <source>new-app</source>
        <translation>neue-app</translation>
    </message>
    <message>
        <source>Apps:</source>
        <translation>Apps:</translation>
    </message>
    <message>
        <source>Group of new accounts:</source>
        <translation>Gruppe neuer Konten:</translation>
    </message>
    <message>
        <source>Verification link valid for:</source>
        <translation>Bestätigungslink gültig für:</translation>
    </message>
    <message>
        <source>Login link valid for:</source>
        <translation>Anmeldelink gültig für:</translation>
    </message>
    <message>
        <source>Session lasts at most:</source>
        <translation>Sitzung dauert höchstens:</translation>
    </message>
    <message>
        <source>Session ends after idle:</source>
        <translation>Sitzung endet nach Inaktivität von:</translation>
    </message>
    <message>
        <source>Transport (applies after a restart)</source>
        <translation>Transport (gilt nach einem Neustart)</translation>
    </message>
    <message>
        <source>Files in a folder</source>
        <translation>Dateien in einem Ordner</translation>
    </message>
    <message>
        <source>SMTP server</source>
        <translation>SMTP-Server</translation>
    </message>
    <message>
        <source>Send email as:</source>
        <translation>E-Mails senden als:</translation>
    </message>
    <message>
        <source>Folder:</source>
        <translation>Ordner:</translation>
    </message>
    <message>
        <source>smtp:// (STARTTLS when offered) or smtps://, with user and password if the server wants them</source>
        <translation>smtp:// (STARTTLS, wenn angeboten) oder smtps://, mit Benutzer und Passwort, wenn der Server sie verlangt</translation>
    </message>
    <message>
        <source>SMTP URL:</source>
        <translation>SMTP-URL:</translation>
    </message>
    <message>
        <source>the system&apos;s certificate authorities</source>
        <translation>die Zertifizierungsstellen des Systems</translation>
    </message>
    <message>
        <source>Trust CA file:</source>
        <translation>Vertrauenswürdige CA-Datei:</translation>
    </message>
    <message>
        <source>CA certificates</source>
        <translation>CA-Zertifikate</translation>
    </message>
    <message>
        <source>Sender and emails (apply at once)</source>
        <translation>Absender und E-Mails (gelten sofort)</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>Von:</translation>
    </message>
    <message>
        <source>Send a welcome email when an account becomes active</source>
        <translation>Willkommens-E-Mail senden, wenn ein Konto aktiv wird</translation>
    </message>
    <message>
        <source>Send an email when a signup is rejected</source>
        <translation>E-Mail senden, wenn eine Registrierung abgelehnt wird</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>Test</translation>
    </message>
    <message>
        <source>address to send a test email to</source>
        <translation>Adresse für die Test-E-Mail</translation>
    </message>
    <message>
        <source>Sends through the transport, sender and CA file shown above, saved or not.</source>
        <translation>Sendet über Transport, Absender und CA-Datei wie oben angezeigt, ob gespeichert oder nicht.</translation>
    </message>
    <message>
        <source>PEM files for HTTPS. With both set the server speaks HTTPS only; with neither, plain HTTP. Applies after a restart.</source>
        <translation>PEM-Dateien für HTTPS. Sind beide gesetzt, spricht der Server nur HTTPS, sonst einfaches HTTP. Gilt nach einem Neustart.</translation>
    </message>
    <message>
        <source>Certificate (chain):</source>
        <translation>Zertifikat (Kette):</translation>
    </message>
    <message>
        <source>TLS certificate</source>
        <translation>TLS-Zertifikat</translation>
    </message>
    <message>
        <source>Private key:</source>
        <translation>Privater Schlüssel:</translation>
    </message>
    <message>
        <source>TLS private key</source>
        <translation>Privater TLS-Schlüssel</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Console language:</source>
        <translation>Sprache der Konsole:</translation>
    </message>
    <message>
        <source>The console&apos;s language applies at its next start. It is kept for you alone, not in the settings file.</source>
        <translation>Die Sprache der Konsole gilt ab dem nächsten Start. Sie wird nur für Sie gespeichert, nicht in der Einstellungsdatei.</translation>
    </message>
    <message>
        <source>The settings file does not read cleanly (%1); the running settings are shown.</source>
        <translation>Die Einstellungsdatei lässt sich nicht sauber lesen (%1); die laufenden Einstellungen werden angezeigt.</translation>
    </message>
    <message>
        <source>Set by a SIGNUPDESK_ environment variable or the command line (%1); change it there.</source>
        <translation>Durch eine SIGNUPDESK_-Umgebungsvariable oder die Befehlszeile gesetzt (%1); ändern Sie es dort.</translation>
    </message>
    <message>
        <source>“%1” is not an app code name: use 1 to 64 letters, digits, dots, dashes or underscores.</source>
        <translation>„%1“ ist kein App-Code-Name: Verwenden Sie 1 bis 64 Buchstaben, Ziffern, Punkte, Binde- oder Unterstriche.</translation>
    </message>
    <message>
        <source>“%1” is listed twice.</source>
        <translation>„%1“ steht doppelt in der Liste.</translation>
    </message>
    <message>
        <source>Name at least one app.</source>
        <translation>Geben Sie mindestens eine App an.</translation>
    </message>
    <message>
        <source>A group name cannot hold a comma or a control character.</source>
        <translation>Ein Gruppenname darf kein Komma und kein Steuerzeichen enthalten.</translation>
    </message>
    <message>
        <source>Give an SMTP URL like smtp://host:587 or smtps://user:password@host:465.</source>
        <translation>Geben Sie eine SMTP-URL wie smtp://host:587 oder smtps://benutzer:passwort@host:465 an.</translation>
    </message>
    <message>
        <source>Cannot read %1.</source>
        <translation>%1 kann nicht gelesen werden.</translation>
    </message>
    <message>
        <source>%1 holds no PEM certificate.</source>
        <translation>%1 enthält kein PEM-Zertifikat.</translation>
    </message>
    <message>
        <source>Give a sender like SignupDesk &lt;noreply@example.org&gt;.</source>
        <translation>Geben Sie einen Absender wie SignupDesk &lt;noreply@example.org&gt; an.</translation>
    </message>
    <message>
        <source>Give both the certificate and the key, or neither.</source>
        <translation>Geben Sie Zertifikat und Schlüssel an oder keines von beiden.</translation>
    </message>
    <message>
        <source>The server could not use these files: %1</source>
        <translation>Der Server konnte diese Dateien nicht verwenden: %1</translation>
    </message>
    <message>
        <source>Nothing was saved: correct the fields marked in red.</source>
        <translation>Nichts wurde gespeichert: Korrigieren Sie die rot markierten Felder.</translation>
    </message>
    <message>
        <source>mail transport</source>
        <translation>E-Mail-Transport</translation>
    </message>
    <message>
        <source>mail folder</source>
        <translation>E-Mail-Ordner</translation>
    </message>
    <message>
        <source>SMTP URL</source>
        <translation>SMTP-URL</translation>
    </message>
    <message>
        <source>SMTP CA file</source>
        <translation>SMTP-CA-Datei</translation>
    </message>
    <message>
        <source>TLS key</source>
        <translation>TLS-Schlüssel</translation>
    </message>
    <message>
        <source>Cannot save to %1: %2. Nothing was changed.</source>
        <translation>Speichern in %1 nicht möglich: %2. Nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Saved to %1.</source>
        <translation>In %1 gespeichert.</translation>
    </message>
    <message>
        <source>Nothing to save: no setting changed.</source>
        <translation>Nichts zu speichern: Keine Einstellung wurde geändert.</translation>
    </message>
    <message>
        <source>Signup and email changes apply now, on every instance sharing the database.</source>
        <translation>Änderungen an Registrierung und E-Mail gelten ab sofort, auf allen Instanzen mit dieser Datenbank.</translation>
    </message>
    <message>
        <source>Applies after a restart: %1.</source>
        <translation>Gilt nach einem Neustart: %1.</translation>
    </message>
    <message>
        <source>The console language applies at its next start.</source>
        <translation>Die Sprache der Konsole gilt ab dem nächsten Start.</translation>
    </message>
    <message>
        <source>Applying…</source>
        <translation>Wird angewendet…</translation>
    </message>
    <message>
        <source>Saved to the file, but the live settings could not be applied: %1</source>
        <translation>In der Datei gespeichert, aber die laufenden Einstellungen konnten nicht angewendet werden: %1</translation>
    </message>
    <message>
        <source>Give the address to send the test email to.</source>
        <translation>Geben Sie die Adresse für die Test-E-Mail an.</translation>
    </message>
    <message>
        <source>The test email was not sent: correct the fields marked in red.</source>
        <translation>Die Test-E-Mail wurde nicht gesendet: Korrigieren Sie die rot markierten Felder.</translation>
    </message>
    <message>
        <source>SignupDesk test email</source>
        <translation>Test-E-Mail von SignupDesk</translation>
    </message>
    <message>
        <source>This is a test email from the SignupDesk console, sent through %1.

If you can read it, SignupDesk can send email.</source>
        <translation>Dies ist eine Test-E-Mail der SignupDesk-Konsole, gesendet über %1.

Wenn Sie sie lesen können, kann SignupDesk E-Mails senden.</translation>
    </message>
    <message>
        <source>Sending to %1 through %2…</source>
        <translation>Senden an %1 über %2…</translation>
    </message>
    <message>
        <source>Sent to %1 through %2.</source>
        <translation>An %1 über %2 gesendet.</translation>
    </message>
    <message>
        <source>Sent to %1 through %2. The server said: %3</source>
        <translation>An %1 über %2 gesendet. Antwort des Servers: %3</translation>
    </message>
    <message>
        <source>Not sent through %1: %2</source>
        <translation>Nicht über %1 gesendet: %2</translation>
    </message>
    <message>
        <source>no answer</source>
        <translation>keine Antwort</translation>
    </message>
    <message>
        <source>Send a test &amp;email</source>
        <translation>Test-E-&amp;Mail senden</translation>
    </message>
    <message>
        <source>Name the group that new accounts join.</source>
        <translation>Geben Sie die Gruppe an, der neue Konten beitreten.</translation>
    </message>
    <message>
        <source>Check the fields, write them to the settings file and apply the live settings now; the dialog stays open.</source>
        <translation>Prüft die Felder, schreibt sie in die Einstellungsdatei und wendet die Live-Einstellungen sofort an; der Dialog bleibt offen.</translation>
    </message>
    <message>
        <source>As Apply, then close the dialog (it stays open if a field is wrong).</source>
        <translation>Wie Übernehmen, dann wird der Dialog geschlossen (er bleibt offen, wenn ein Feld falsch ist).</translation>
    </message>
    <message>
        <source>Close without applying what was changed since the last Apply.</source>
        <translation>Schließen, ohne anzuwenden, was seit dem letzten Übernehmen geändert wurde.</translation>
    </message>
</context>
<context>
    <name>sd::ui::SignupTableModel</name>
    <message numerus="yes">
        <source>%n s</source>
        <translation>
            <numerusform>%n&#xa0;Sek.</numerusform>
            <numerusform>%n&#xa0;Sek.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n&#xa0;Min.</numerusform>
            <numerusform>%n&#xa0;Min.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h</source>
        <translation>
            <numerusform>%n&#xa0;Std.</numerusform>
            <numerusform>%n&#xa0;Std.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n d</source>
        <translation>
            <numerusform>%n&#xa0;Tag</numerusform>
            <numerusform>%n&#xa0;Tagen</numerusform>
        </translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>in %1</translation>
    </message>
    <message>
        <source>%1 ago</source>
        <translation>vor %1</translation>
    </message>
    <message>
        <source>Pending verification</source>
        <translation>Bestätigung ausstehend</translation>
    </message>
    <message>
        <source>Pending approval</source>
        <translation>Genehmigung ausstehend</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <source>none</source>
        <translation>nicht vorhanden</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>abgelaufen</translation>
    </message>
    <message>
        <source>issued, expires %1</source>
        <translation>ausgestellt, läuft %1 ab</translation>
    </message>
    <message>
        <source>used</source>
        <translation>verwendet</translation>
    </message>
    <message numerus="yes">
        <source>burned (%n wrong codes)</source>
        <translation>
            <numerusform>gesperrt (%n falscher Code)</numerusform>
            <numerusform>gesperrt (%n falsche Codes)</numerusform>
        </translation>
    </message>
    <message>
        <source>revoked</source>
        <translation>widerrufen</translation>
    </message>
    <message numerus="yes">
        <source>queued, retrying after %n attempts: %1</source>
        <translation>
            <numerusform>in Warteschlange, neuer Versuch nach %n Fehlversuch: %1</numerusform>
            <numerusform>in Warteschlange, neuer Versuch nach %n Fehlversuchen: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>queued</source>
        <translation>in Warteschlange</translation>
    </message>
    <message>
        <source>sending</source>
        <translation>wird gesendet</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>gesendet</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>held by an admin</source>
        <translation>von einem Admin zurückgehalten</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message numerus="yes">
        <source>Rejecting in %n s…</source>
        <translation>
            <numerusform>Ablehnung in %n&#xa0;s…</numerusform>
            <numerusform>Ablehnung in %n&#xa0;s…</numerusform>
        </translation>
    </message>
    <message>
        <source>Server reply: %1</source>
        <translation>Antwort des Servers: %1</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>Anzeigename</translation>
    </message>
    <message>
        <source>Apps</source>
        <translation>Apps</translation>
    </message>
    <message>
        <source>Signed up</source>
        <translation>Registriert</translation>
    </message>
    <message>
        <source>Client address</source>
        <translation>Client-Adresse</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Verification token</source>
        <translation>Bestätigungs-Token</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1&#xa0;T. %2&#xa0;Std.</translation>
    </message>
    <message numerus="yes">
        <source>Approving in %n s…</source>
        <translation>
            <numerusform>Genehmigung in %n s…</numerusform>
            <numerusform>Genehmigung in %n s…</numerusform>
        </translation>
    </message>
    <message>
        <source>Email delivery</source>
        <translation>E-Mail-Zustellung</translation>
    </message>
</context>
<context>
    <name>sd::ui::SignupsPage</name>
    <message>
        <source>All pending</source>
        <translation>Alle ausstehenden</translation>
    </message>
    <message>
        <source>Pending approval</source>
        <translation>Genehmigung ausstehend</translation>
    </message>
    <message>
        <source>Pending verification</source>
        <translation>Bestätigung ausstehend</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>Search username, email, name or address (Ctrl+F)</source>
        <translation>Nach Benutzername, E-Mail, Name oder Adresse suchen (Strg+F)</translation>
    </message>
    <message>
        <source>S&amp;how:</source>
        <translation>A&amp;nzeigen:</translation>
    </message>
    <message>
        <source>&amp;Approve</source>
        <translation>&amp;Genehmigen</translation>
    </message>
    <message>
        <source>&amp;Reject…</source>
        <translation>&amp;Ablehnen…</translation>
    </message>
    <message>
        <source>Re&amp;send verification</source>
        <translation>Bestätigung &amp;erneut senden</translation>
    </message>
    <message>
        <source>Revoke &amp;token</source>
        <translation>&amp;Token widerrufen</translation>
    </message>
    <message>
        <source>Mark &amp;verified…</source>
        <translation>Als &amp;bestätigt markieren…</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n of %2 failed. %3</source>
        <translation>
            <numerusform>%1: %n von %2 fehlgeschlagen. %3</numerusform>
            <numerusform>%1: %n von %2 fehlgeschlagen. %3</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>(%n cancelled)</source>
        <translation>
            <numerusform>(%n abgebrochen)</numerusform>
            <numerusform>(%n abgebrochen)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n selected signup(s) are not pending approval and were skipped.</source>
        <translation>
            <numerusform>%n ausgewählte Registrierung wartet nicht auf Genehmigung und wurde übersprungen.</numerusform>
            <numerusform>%n ausgewählte Registrierungen warten nicht auf Genehmigung und wurden übersprungen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Approving</source>
        <translation>Genehmigung</translation>
    </message>
    <message numerus="yes">
        <source>%n signup(s) approved.</source>
        <translation>
            <numerusform>%n Registrierung genehmigt.</numerusform>
            <numerusform>%n Registrierungen genehmigt.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n selected signup(s) cannot be rejected (already active, or being rejected).</source>
        <translation>
            <numerusform>%n ausgewählte Registrierung kann nicht abgelehnt werden (bereits aktiv oder wird gerade abgelehnt).</numerusform>
            <numerusform>%n ausgewählte Registrierungen können nicht abgelehnt werden (bereits aktiv oder werden gerade abgelehnt).</numerusform>
        </translation>
    </message>
    <message>
        <source>Reason (sent to the applicant):</source>
        <translation>Begründung (wird dem Antragsteller mitgeteilt):</translation>
    </message>
    <message>
        <source>We could not verify your identity.</source>
        <translation>Wir konnten Ihre Identität nicht überprüfen.</translation>
    </message>
    <message>
        <source>This service is for members only.</source>
        <translation>Dieser Dienst steht nur Mitgliedern offen.</translation>
    </message>
    <message>
        <source>Duplicate account.</source>
        <translation>Doppeltes Konto.</translation>
    </message>
    <message numerus="yes">
        <source>%n selected signup(s) are not pending verification and were skipped.</source>
        <translation>
            <numerusform>%n ausgewählte Registrierung wartet nicht auf Bestätigung und wurde übersprungen.</numerusform>
            <numerusform>%n ausgewählte Registrierungen warten nicht auf Bestätigung und wurden übersprungen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Resending</source>
        <translation>Erneutes Senden</translation>
    </message>
    <message numerus="yes">
        <source>Verification resent for %n signup(s).</source>
        <translation>
            <numerusform>Bestätigung für %n Registrierung erneut gesendet.</numerusform>
            <numerusform>Bestätigung für %n Registrierungen erneut gesendet.</numerusform>
        </translation>
    </message>
    <message>
        <source>Revoking</source>
        <translation>Widerruf</translation>
    </message>
    <message numerus="yes">
        <source>Verification revoked for %n signup(s).</source>
        <translation>
            <numerusform>Bestätigung für %n Registrierung widerrufen.</numerusform>
            <numerusform>Bestätigung für %n Registrierungen widerrufen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Why is the email known to be good? (recorded in the audit log)</source>
        <translation>Warum ist die E-Mail-Adresse bekanntermaßen gültig? (wird im Audit-Protokoll festgehalten)</translation>
    </message>
    <message>
        <source>Confirmed by phone.</source>
        <translation>Telefonisch bestätigt.</translation>
    </message>
    <message>
        <source>Known colleague.</source>
        <translation>Bekannter Kollege.</translation>
    </message>
    <message>
        <source>Marking verified</source>
        <translation>Markierung als bestätigt</translation>
    </message>
    <message numerus="yes">
        <source>%n signup(s) marked verified.</source>
        <translation>
            <numerusform>%n Registrierung als bestätigt markiert.</numerusform>
            <numerusform>%n Registrierungen als bestätigt markiert.</numerusform>
        </translation>
    </message>
    <message>
        <source>Rejecting</source>
        <translation>Ablehnung</translation>
    </message>
    <message numerus="yes">
        <source>%n signup(s) rejected.</source>
        <translation>
            <numerusform>%n Registrierung abgelehnt.</numerusform>
            <numerusform>%n Registrierungen abgelehnt.</numerusform>
        </translation>
    </message>
    <message>
        <source>(%1)</source>
        <translation>(%1)</translation>
    </message>
    <message>
        <source>Reject %1</source>
        <translation>%1 ablehnen</translation>
    </message>
    <message>
        <source>Resend verification</source>
        <translation>Bestätigung erneut senden</translation>
    </message>
    <message>
        <source>Send %1 a new verification email? The link sent before stops working.</source>
        <translation>%1 eine neue Bestätigungs-E-Mail senden? Der zuvor gesendete Link funktioniert dann nicht mehr.</translation>
    </message>
    <message>
        <source>Resend</source>
        <translation>Erneut senden</translation>
    </message>
    <message>
        <source>Revoke verification</source>
        <translation>Bestätigung widerrufen</translation>
    </message>
    <message>
        <source>Revoke the verification link of %1? The link stops working at once; only a resend gives a new one.</source>
        <translation>Den Bestätigungslink von %1 widerrufen? Der Link funktioniert sofort nicht mehr; nur erneutes Senden gibt einen neuen.</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation>Widerrufen</translation>
    </message>
    <message>
        <source>Mark %1 verified</source>
        <translation>%1 als bestätigt markieren</translation>
    </message>
    <message>
        <source>Approval undone: %1.</source>
        <translation>Genehmigung rückgängig gemacht: %1.</translation>
    </message>
    <message>
        <source>Reject undone: %1.</source>
        <translation>Ablehnung rückgängig gemacht: %1.</translation>
    </message>
    <message>
        <source>&amp;Undo approve or reject</source>
        <translation>Genehmigung oder Ablehnung &amp;rückgängig machen</translation>
    </message>
</context>
<context>
    <name>sd::ui::TimelineModel</name>
    <message>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Was</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>sd::ui::TimelinePane</name>
    <message>
        <source>Select a signup to see its timeline.</source>
        <translation>Wählen Sie eine Registrierung aus, um ihren Verlauf zu sehen.</translation>
    </message>
    <message>
        <source>%1 &lt;%2&gt;%3
%4, signed up from %5</source>
        <translation>%1 &lt;%2&gt;%3
%4, registriert von %5</translation>
    </message>
    <message>
        <source>an unknown address</source>
        <translation>einer unbekannten Adresse</translation>
    </message>
</context>
<context>
    <name>sd::ui::UndoBar</name>
    <message>
        <source>U&amp;ndo</source>
        <translation>Rüc&amp;kgängig</translation>
    </message>
    <message>
        <source>Approving %1</source>
        <translation>Genehmigung von %1</translation>
    </message>
    <message>
        <source>Rejecting %1</source>
        <translation>Ablehnung von %1</translation>
    </message>
    <message>
        <source>%1 in %2 s.</source>
        <translation>%1 in %2 s.</translation>
    </message>
    <message>
        <source>Deleting %1</source>
        <translation>%1 wird gelöscht</translation>
    </message>
</context>
<context>
    <name>sd::ui::UserPage</name>
    <message>
        <source>Yes</source>
        <translation>Ja</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Nein</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Konto</translation>
    </message>
    <message>
        <source>Loading the account…</source>
        <translation>Konto wird geladen…</translation>
    </message>
    <message>
        <source>Send &amp;reset link</source>
        <translation>&amp;Link zum Zurücksetzen senden</translation>
    </message>
    <message>
        <source>Email the account a link and a code to choose a new password.</source>
        <translation>Schickt dem Konto einen Link und einen Code, um ein neues Passwort zu wählen.</translation>
    </message>
    <message>
        <source>&amp;Disable</source>
        <translation>&amp;Deaktivieren</translation>
    </message>
    <message>
        <source>De&amp;lete…</source>
        <translation>&amp;Löschen…</translation>
    </message>
    <message>
        <source>Delete the account for good, with a reason; a goodbye email is sent. Undo stays possible for a few seconds.</source>
        <translation>Löscht das Konto endgültig, mit einer Begründung; eine Abschieds-E-Mail wird gesendet. Einige Sekunden lang lässt es sich noch rückgängig machen.</translation>
    </message>
    <message>
        <source>Username:</source>
        <translation>Benutzername:</translation>
    </message>
    <message>
        <source>Email:</source>
        <translation>E-Mail:</translation>
    </message>
    <message>
        <source>Email verified:</source>
        <translation>E-Mail bestätigt:</translation>
    </message>
    <message>
        <source>&amp;Save name</source>
        <translation>Namen &amp;speichern</translation>
    </message>
    <message>
        <source>Display &amp;name:</source>
        <translation>Anzeige&amp;name:</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>Status:</translation>
    </message>
    <message>
        <source>Role:</source>
        <translation>Rolle:</translation>
    </message>
    <message>
        <source>Apps:</source>
        <translation>Apps:</translation>
    </message>
    <message>
        <source>Groups:</source>
        <translation>Gruppen:</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>Signed up:</source>
        <translation>Registriert:</translation>
    </message>
    <message>
        <source>Last login:</source>
        <translation>Letzte Anmeldung:</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>&amp;End session</source>
        <translation>Sitzung &amp;beenden</translation>
    </message>
    <message>
        <source>End &amp;all sessions</source>
        <translation>&amp;Alle Sitzungen beenden</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sitzungen</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Passwort:</translation>
    </message>
    <message>
        <source>Second factor:</source>
        <translation>Zweiter Faktor:</translation>
    </message>
    <message>
        <source>On (a code from an authenticator app at every sign-in; the Users tab resets it)</source>
        <translation>An (bei jeder Anmeldung ein Code aus einer Authenticator-App; der Reiter Benutzer setzt ihn zurück)</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Aus</translation>
    </message>
    <message>
        <source>Linked sign-ins:</source>
        <translation>Verknüpfte Anmeldungen:</translation>
    </message>
    <message>
        <source>Credentials</source>
        <translation>Anmeldedaten</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Ereignisse</translation>
    </message>
    <message>
        <source>Account %1</source>
        <translation>Konto %1</translation>
    </message>
    <message>
        <source>%1 &lt;%2&gt;%3
%4</source>
        <translation>%1 &lt;%2&gt;%3
%4</translation>
    </message>
    <message>
        <source>Super-user</source>
        <translation>Superuser</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>Set</source>
        <translation>Gesetzt</translation>
    </message>
    <message>
        <source>Not set</source>
        <translation>Nicht gesetzt</translation>
    </message>
    <message>
        <source> (signs in with a linked account or an email link; a reset link sets one)</source>
        <translation> (meldet sich mit einem verknüpften Konto oder einem E-Mail-Link an; ein Link zum Zurücksetzen setzt eines)</translation>
    </message>
    <message>
        <source>Sessions (%1)</source>
        <translation>Sitzungen (%1)</translation>
    </message>
    <message>
        <source>%1 no longer exists: the account was deleted.</source>
        <translation>%1 existiert nicht mehr: das Konto wurde gelöscht.</translation>
    </message>
    <message>
        <source>Account %1 (deleted)</source>
        <translation>Konto %1 (gelöscht)</translation>
    </message>
    <message>
        <source>The email address is not verified: no reset link can go to it.</source>
        <translation>Die E-Mail-Adresse ist nicht bestätigt: kein Link zum Zurücksetzen kann dorthin gehen.</translation>
    </message>
    <message>
        <source>&amp;Enable</source>
        <translation>&amp;Aktivieren</translation>
    </message>
    <message>
        <source>Super-users are managed with the command line.</source>
        <translation>Superuser werden über die Kommandozeile verwaltet.</translation>
    </message>
    <message>
        <source>This account or session no longer exists.</source>
        <translation>Dieses Konto oder diese Sitzung existiert nicht mehr.</translation>
    </message>
    <message>
        <source>The display name is too long (at most 128 characters); nothing changed.</source>
        <translation>Der Anzeigename ist zu lang (höchstens 128 Zeichen); nichts wurde geändert.</translation>
    </message>
    <message>
        <source>The display name holds characters that are not allowed (control or invisible characters); nothing changed.</source>
        <translation>Der Anzeigename enthält unzulässige Zeichen (Steuer- oder unsichtbare Zeichen); nichts wurde geändert.</translation>
    </message>
    <message>
        <source>%1 changed in the meantime (%2); nothing was done.</source>
        <translation>%1 hat sich inzwischen geändert (%2); nichts wurde getan.</translation>
    </message>
    <message>
        <source>Set the display name of %1 to “%2”?</source>
        <translation>Den Anzeigenamen von %1 auf „%2“ setzen?</translation>
    </message>
    <message>
        <source>Remove the display name “%2” of %1?</source>
        <translation>Den Anzeigenamen „%2“ von %1 entfernen?</translation>
    </message>
    <message>
        <source>Change the display name of %1 from “%2” to “%3”?</source>
        <translation>Den Anzeigenamen von %1 von „%2“ in „%3“ ändern?</translation>
    </message>
    <message>
        <source>Change the display name</source>
        <translation>Anzeigenamen ändern</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Ändern</translation>
    </message>
    <message>
        <source>Display name of %1 changed.</source>
        <translation>Anzeigename von %1 geändert.</translation>
    </message>
    <message>
        <source>the session from %1 (%2, last used %3)</source>
        <translation>die Sitzung von %1 (%2, zuletzt benutzt %3)</translation>
    </message>
    <message>
        <source>an unknown address</source>
        <translation>einer unbekannten Adresse</translation>
    </message>
    <message>
        <source>unknown browser</source>
        <translation>unbekannter Browser</translation>
    </message>
    <message>
        <source>End session</source>
        <translation>Sitzung beenden</translation>
    </message>
    <message>
        <source>End %1 of %2? That browser must sign in again.</source>
        <translation>%1 von %2 beenden? Dieser Browser muss sich neu anmelden.</translation>
    </message>
    <message>
        <source>Ended a session of %1.</source>
        <translation>Eine Sitzung von %1 beendet.</translation>
    </message>
    <message>
        <source>End sessions</source>
        <translation>Sitzungen beenden</translation>
    </message>
    <message>
        <source>End every session of %1? They must sign in again.</source>
        <translation>Alle Sitzungen von %1 beenden? Eine neue Anmeldung ist nötig.</translation>
    </message>
    <message>
        <source>End all sessions</source>
        <translation>Alle Sitzungen beenden</translation>
    </message>
    <message>
        <source>Every session of %1 ended.</source>
        <translation>Alle Sitzungen von %1 beendet.</translation>
    </message>
    <message>
        <source>Send a reset link</source>
        <translation>Link zum Zurücksetzen senden</translation>
    </message>
    <message>
        <source>Send %1 a password reset link and code at %2? An earlier reset link stops working.</source>
        <translation>%1 einen Link und Code zum Zurücksetzen des Passworts an %2 senden? Ein früherer Link zum Zurücksetzen funktioniert dann nicht mehr.</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Reset link sent to %1 (%2).</source>
        <translation>Link zum Zurücksetzen an %1 (%2) gesendet.</translation>
    </message>
    <message>
        <source>Enable the account</source>
        <translation>Konto aktivieren</translation>
    </message>
    <message>
        <source>Enable %1? They can sign in again.</source>
        <translation>%1 aktivieren? Die Anmeldung ist wieder möglich.</translation>
    </message>
    <message>
        <source>Enable</source>
        <translation>Aktivieren</translation>
    </message>
    <message>
        <source>Enabled %1.</source>
        <translation>%1 aktiviert.</translation>
    </message>
    <message>
        <source>Disable the account</source>
        <translation>Konto deaktivieren</translation>
    </message>
    <message>
        <source>Disable %1? They cannot sign in, and their sessions end at once.</source>
        <translation>%1 deaktivieren? Die Anmeldung ist nicht mehr möglich, und die Sitzungen enden sofort.</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>Deaktivieren</translation>
    </message>
    <message>
        <source>Disabled %1, their sessions ended.</source>
        <translation>%1 deaktiviert, Sitzungen beendet.</translation>
    </message>
    <message>
        <source>Delete %1</source>
        <translation>%1 löschen</translation>
    </message>
    <message>
        <source>Reason (kept in the audit log; %1 gets a goodbye email):</source>
        <translation>Begründung (bleibt im Audit-Log; %1 erhält eine Abschieds-E-Mail):</translation>
    </message>
    <message>
        <source>Asked to be deleted.</source>
        <translation>Hat um Löschung gebeten.</translation>
    </message>
    <message>
        <source>Abuse of the service.</source>
        <translation>Missbrauch des Dienstes.</translation>
    </message>
    <message>
        <source>Left the organisation.</source>
        <translation>Hat die Organisation verlassen.</translation>
    </message>
    <message>
        <source>Deletion of %1 undone.</source>
        <translation>Löschung von %1 rückgängig gemacht.</translation>
    </message>
    <message>
        <source>Deleted %1.</source>
        <translation>%1 gelöscht.</translation>
    </message>
</context>
<context>
    <name>sd::ui::UserTableModel</name>
    <message>
        <source>Super-user</source>
        <translation>Superuser</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>Anzeigename</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Signed up</source>
        <translation>Registriert</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sitzungen</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>Gruppen</translation>
    </message>
    <message>
        <source>Last login</source>
        <translation>Letzte Anmeldung</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Ein</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Aus</translation>
    </message>
    <message>
        <source>Second factor</source>
        <translation>Zweiter Faktor</translation>
    </message>
</context>
<context>
    <name>sd::ui::UsersPage</name>
    <message>
        <source>Select an account to see its linked sign-ins.</source>
        <translation>Wählen Sie ein Konto aus, um seine verknüpften Anmeldungen zu sehen.</translation>
    </message>
    <message>
        <source>U&amp;nlink</source>
        <translation>Verknüpfung &amp;lösen</translation>
    </message>
    <message>
        <source>Unlink this sign-in from the account (Del); the next sign-in with it makes a new account unless the emails match.</source>
        <translation>Diese Anmeldung vom Konto lösen (Entf); die nächste Anmeldung damit legt ein neues Konto an, sofern die E-Mail-Adressen nicht übereinstimmen.</translation>
    </message>
    <message>
        <source>All accounts</source>
        <translation>Alle Konten</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <source>&amp;Disable</source>
        <translation>&amp;Deaktivieren</translation>
    </message>
    <message>
        <source>&amp;Enable</source>
        <translation>&amp;Aktivieren</translation>
    </message>
    <message>
        <source>Revoke &amp;sessions</source>
        <translation>&amp;Sitzungen widerrufen</translation>
    </message>
    <message>
        <source>%1 signs in with a password or an email link only; no GitHub or Google account is linked.</source>
        <translation>%1 meldet sich nur mit Passwort oder E-Mail-Link an; kein GitHub- oder Google-Konto ist verknüpft.</translation>
    </message>
    <message>
        <source>Sign-ins linked to %1:</source>
        <translation>Mit %1 verknüpfte Anmeldungen:</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>This sign-in is no longer linked to the account.</source>
        <translation>Diese Anmeldung ist nicht mehr mit dem Konto verknüpft.</translation>
    </message>
    <message>
        <source>Unlinked %1.</source>
        <translation>Verknüpfung mit %1 gelöst.</translation>
    </message>
    <message>
        <source>This account no longer exists.</source>
        <translation>Dieses Konto existiert nicht mehr.</translation>
    </message>
    <message>
        <source>This account changed in the meantime (%1); reload and try again.</source>
        <translation>Dieses Konto hat sich inzwischen geändert (%1); laden Sie neu und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Super-users cannot be disabled from the console; use the command line.</source>
        <translation>Superuser können nicht über die Konsole deaktiviert werden; verwenden Sie die Befehlszeile.</translation>
    </message>
    <message>
        <source>Unlink sign-in</source>
        <translation>Anmeldung trennen</translation>
    </message>
    <message>
        <source>Unlink %1 from %2? The next sign-in with it makes a new account unless the emails match.</source>
        <translation>%1 von %2 trennen? Die nächste Anmeldung damit legt ein neues Konto an, außer die E-Mail-Adressen stimmen überein.</translation>
    </message>
    <message>
        <source>Unlink</source>
        <translation>Trennen</translation>
    </message>
    <message>
        <source>Disable accounts</source>
        <translation>Konten deaktivieren</translation>
    </message>
    <message>
        <source>Disable %1? They cannot sign in, and their sessions end at once.</source>
        <translation>%1 deaktivieren? Eine Anmeldung ist nicht mehr möglich, und die Sitzungen enden sofort.</translation>
    </message>
    <message numerus="yes">
        <source>Disabled %n account(s), their sessions ended: %1.</source>
        <translation>
            <numerusform>%n Konto deaktiviert, Sitzungen beendet: %1.</numerusform>
            <numerusform>%n Konten deaktiviert, Sitzungen beendet: %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>Enable accounts</source>
        <translation>Konten aktivieren</translation>
    </message>
    <message>
        <source>Enable %1? They can sign in again.</source>
        <translation>%1 aktivieren? Eine Anmeldung ist wieder möglich.</translation>
    </message>
    <message numerus="yes">
        <source>Enabled %n account(s): %1.</source>
        <translation>
            <numerusform>%n Konto aktiviert: %1.</numerusform>
            <numerusform>%n Konten aktiviert: %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>End sessions</source>
        <translation>Sitzungen beenden</translation>
    </message>
    <message>
        <source>End every session of %1? They must sign in again.</source>
        <translation>Alle Sitzungen von %1 beenden? Eine neue Anmeldung ist nötig.</translation>
    </message>
    <message numerus="yes">
        <source>Sessions ended for %n account(s): %1.</source>
        <translation>
            <numerusform>Sitzungen für %n Konto beendet: %1.</numerusform>
            <numerusform>Sitzungen für %n Konten beendet: %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>Reset second &amp;factor</source>
        <translation>Zweiten &amp;Faktor zurücksetzen</translation>
    </message>
    <message>
        <source>Reset second factor</source>
        <translation>Zweiten Faktor zurücksetzen</translation>
    </message>
    <message>
        <source>Turn off the second factor of %1? They sign in with their password alone until they turn it on again, and get a notice by email.</source>
        <translation>Den zweiten Faktor von %1 ausschalten? Die Anmeldung fragt dann nur noch nach dem Passwort, bis er wieder eingeschaltet wird; eine Benachrichtigung geht per E-Mail hinaus.</translation>
    </message>
    <message numerus="yes">
        <source>Second factor turned off for %n account(s): %1.</source>
        <translation>
            <numerusform>Zweiter Faktor für %n Konto ausgeschaltet: %1.</numerusform>
            <numerusform>Zweiter Faktor für %n Konten ausgeschaltet: %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::WebhookTableModel</name>
    <message>
        <source>Delivered</source>
        <translation>Zugestellt</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Wird gesendet</translation>
    </message>
    <message>
        <source>Failed for good</source>
        <translation>Endgültig fehlgeschlagen</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Wartet</translation>
    </message>
    <message numerus="yes">
        <source>Retry in %n s</source>
        <comment>a failed delivery is tried again in that many seconds</comment>
        <translation>
            <numerusform>Neuer Versuch in %n s</numerusform>
            <numerusform>Neuer Versuch in %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>HTTP %1</source>
        <translation>HTTP %1</translation>
    </message>
    <message>
        <source>Queued</source>
        <comment>column header: when the webhook event was queued</comment>
        <translation>Eingereiht</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>Last answer</source>
        <translation>Letzte Antwort</translation>
    </message>
</context>
<context>
    <name>sd::ui::WebhooksPage</name>
    <message>
        <source>All deliveries</source>
        <translation>Alle Zustellungen</translation>
    </message>
    <message>
        <source>Waiting (queued, sending)</source>
        <translation>Wartend (eingereiht, wird gesendet)</translation>
    </message>
    <message>
        <source>Failed for good</source>
        <translation>Endgültig fehlgeschlagen</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Zugestellt</translation>
    </message>
    <message>
        <source>&amp;Retry now</source>
        <translation>&amp;Jetzt erneut versuchen</translation>
    </message>
    <message>
        <source>Send a &amp;test event</source>
        <translation>&amp;Testereignis senden</translation>
    </message>
    <message>
        <source>Queues a webhook.test event to every URL of webhooks/urls.</source>
        <translation>Reiht ein Ereignis webhook.test für jede URL von webhooks/urls ein.</translation>
    </message>
    <message>
        <source>Webhooks: off</source>
        <translation>Webhooks: aus</translation>
    </message>
    <message>
        <source>Webhooks: idle</source>
        <translation>Webhooks: untätig</translation>
    </message>
    <message>
        <source>Webhooks: last delivered %1</source>
        <translation>Webhooks: zuletzt zugestellt um %1</translation>
    </message>
    <message>
        <source>Webhooks: %1 failed for good: %2</source>
        <translation>Webhooks: %1 endgültig fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Webhooks: %1 failing, will retry: %2</source>
        <translation>Webhooks: %1 schlägt fehl, neuer Versuch folgt: %2</translation>
    </message>
    <message>
        <source>This delivery changed in the meantime; it may be sending now.</source>
        <translation>Diese Zustellung hat sich inzwischen geändert; sie wird vielleicht gerade gesendet.</translation>
    </message>
    <message numerus="yes">
        <source>%n webhook delivery(s) queued to be sent now.</source>
        <translation>
            <numerusform>%n Webhook-Zustellung zum sofortigen Senden eingereiht.</numerusform>
            <numerusform>%n Webhook-Zustellungen zum sofortigen Senden eingereiht.</numerusform>
        </translation>
    </message>
    <message>
        <source>No webhook URL is set (webhooks/urls).</source>
        <translation>Keine Webhook-URL ist gesetzt (webhooks/urls).</translation>
    </message>
    <message>
        <source>A test event is queued for every webhook URL.</source>
        <translation>Ein Testereignis ist für jede Webhook-URL eingereiht.</translation>
    </message>
</context>
</TS>
