<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>ErrorMessages</name>
    <message>
        <source>This signup no longer exists (it may have been rejected elsewhere).</source>
        <translation>Cette inscription n’existe plus (elle a peut-être été refusée ailleurs).</translation>
    </message>
    <message>
        <source>This signup changed in the meantime and cannot take this action any more.</source>
        <translation>Cette inscription a changé entre-temps et ne permet plus cette action.</translation>
    </message>
    <message>
        <source>Some required information is missing (for example the reason).</source>
        <translation>Des informations obligatoires manquent (par exemple le motif).</translation>
    </message>
    <message>
        <source>The database does not answer. Check the connection and try again.</source>
        <translation>La base de données ne répond pas. Vérifiez la connexion et réessayez.</translation>
    </message>
    <message>
        <source>The server is busy. Try again in a moment.</source>
        <translation>Le serveur est occupé. Réessayez dans un instant.</translation>
    </message>
    <message>
        <source>This action is not allowed.</source>
        <translation>Cette action n’est pas autorisée.</translation>
    </message>
    <message>
        <source>Something went wrong inside SignupDesk; the log has the details.</source>
        <translation>Une erreur interne s’est produite dans SignupDesk&#xa0;; le journal contient les détails.</translation>
    </message>
</context>
<context>
    <name>sd::ui::AuditDetails</name>
    <message>
        <source>by the user</source>
        <translation>par l’utilisateur</translation>
    </message>
    <message>
        <source>by an administrator</source>
        <translation>par un administrateur</translation>
    </message>
    <message>
        <source>too many wrong codes</source>
        <translation>trop de codes erronés</translation>
    </message>
    <message>
        <source>second factor turned off by an administrator</source>
        <translation>second facteur désactivé par un administrateur</translation>
    </message>
    <message>
        <source>with a link</source>
        <translation>par un lien</translation>
    </message>
    <message>
        <source>with a code</source>
        <translation>par un code</translation>
    </message>
    <message>
        <source>with the confirmation token</source>
        <translation>par le jeton de confirmation</translation>
    </message>
    <message>
        <source>with a signed link</source>
        <translation>par un lien signé</translation>
    </message>
    <message>
        <source>with an email link</source>
        <translation>par un lien envoyé par e-mail</translation>
    </message>
    <message>
        <source>through GitHub or Google</source>
        <translation>par GitHub ou Google</translation>
    </message>
    <message>
        <source>with an authenticator code</source>
        <translation>par un code d’authentification</translation>
    </message>
    <message>
        <source>with a recovery code</source>
        <translation>par un code de récupération</translation>
    </message>
    <message>
        <source>second-factor code when logging in</source>
        <translation>code du second facteur à la connexion</translation>
    </message>
    <message>
        <source>recovery code when logging in</source>
        <translation>code de récupération à la connexion</translation>
    </message>
    <message>
        <source>setting up the second factor</source>
        <translation>configuration du second facteur</translation>
    </message>
    <message>
        <source>password asked again before a change</source>
        <translation>mot de passe redemandé avant une modification</translation>
    </message>
    <message>
        <source>turning the second factor on</source>
        <translation>activation du second facteur</translation>
    </message>
    <message>
        <source>turning the second factor off</source>
        <translation>désactivation du second facteur</translation>
    </message>
    <message>
        <source>making new recovery codes</source>
        <translation>création de nouveaux codes de récupération</translation>
    </message>
    <message>
        <source>changing the password</source>
        <translation>changement du mot de passe</translation>
    </message>
    <message>
        <source>changing the email address</source>
        <translation>changement d’adresse e-mail</translation>
    </message>
    <message>
        <source>deleting the account</source>
        <translation>suppression du compte</translation>
    </message>
    <message>
        <source>pending verification</source>
        <translation>en attente de vérification</translation>
    </message>
    <message>
        <source>pending approval</source>
        <translation>en attente d’approbation</translation>
    </message>
    <message>
        <source>active</source>
        <translation>actif</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>désactivé</translation>
    </message>
    <message>
        <source>username</source>
        <translation>nom d’utilisateur</translation>
    </message>
    <message>
        <source>reason</source>
        <translation>motif</translation>
    </message>
    <message>
        <source>apps</source>
        <translation>applications</translation>
    </message>
    <message>
        <source>groups</source>
        <translation>groupes</translation>
    </message>
    <message>
        <source>sessions ended</source>
        <translation>sessions fermées</translation>
    </message>
    <message>
        <source>links revoked</source>
        <translation>liens révoqués</translation>
    </message>
    <message>
        <source>was</source>
        <translation>état précédent</translation>
    </message>
    <message>
        <source>provider</source>
        <translation>fournisseur</translation>
    </message>
    <message>
        <source>provider&apos;s user id</source>
        <translation>identifiant chez le fournisseur</translation>
    </message>
    <message>
        <source>from %1</source>
        <translation>depuis %1</translation>
    </message>
    <message>
        <source>from %1; stand-in account %2, not kept</source>
        <translation>depuis %1&#xa0;; compte de substitution %2, non conservé</translation>
    </message>
    <message>
        <source>with an email link from %1; accepted the terms of service %2</source>
        <translation>par un lien envoyé par e-mail depuis %1&#xa0;; conditions d’utilisation %2 acceptées</translation>
    </message>
    <message>
        <source>through %1 from %2</source>
        <translation>par %1 depuis %2</translation>
    </message>
    <message>
        <source>through %1 from %2; now %3</source>
        <translation>par %1 depuis %2&#xa0;; désormais %3</translation>
    </message>
    <message>
        <source>%1 through %2 from %3: %4</source>
        <translation>%1 par %2 depuis %3&#xa0;: %4</translation>
    </message>
    <message>
        <source>%1 sign-in linked by its verified address</source>
        <translation>connexion %1 associée par son adresse vérifiée</translation>
    </message>
    <message>
        <source>username %1; a verified %2 sign-in took the address</source>
        <translation>nom d’utilisateur %1&#xa0;; une connexion %2 vérifiée a repris l’adresse</translation>
    </message>
    <message>
        <source>locked for %1 s after %2 failures</source>
        <translation>bloqué %1&#xa0;s après %2 échecs</translation>
    </message>
    <message>
        <source>invitation %1, from %2</source>
        <translation>invitation %1, depuis %2</translation>
    </message>
    <message>
        <source>%1 from %2</source>
        <translation>%1 depuis %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1&#xa0;: %2</translation>
    </message>
    <message>
        <source>; </source>
        <translation>&#xa0;; </translation>
    </message>
    <message>
        <source>%1 link opened (%2) from %3: %4</source>
        <translation>Lien «&#xa0;%1&#xa0;» ouvert (%2) depuis %3&#xa0;: %4</translation>
    </message>
</context>
<context>
    <name>sd::ui::AuditPage</name>
    <message>
        <source>Search actor, subject, detail…</source>
        <translation>Rechercher par auteur, objet, détail…</translation>
    </message>
    <message>
        <source>All actions</source>
        <translation>Toutes les actions</translation>
    </message>
    <message>
        <source>E&amp;xport CSV…</source>
        <translation>E&amp;xporter en CSV…</translation>
    </message>
    <message>
        <source>Export the audit log</source>
        <translation>Exporter le journal d’audit</translation>
    </message>
    <message>
        <source>audit-log.csv</source>
        <translation>journal-audit.csv</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Fichiers CSV (*.csv)</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>Impossible d’écrire %1&#xa0;: %2</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n audit entries to %1.</source>
        <translation>
            <numerusform>%n entrée du journal d’audit exportée vers %1.</numerusform>
            <numerusform>%n entrées du journal d’audit exportées vers %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::AuditTableModel</name>
    <message>
        <source>Time</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>Auteur</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Objet</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Détail</translation>
    </message>
</context>
<context>
    <name>sd::ui::AuditWords</name>
    <message>
        <source>Invitation sent</source>
        <translation>Invitation envoyée</translation>
    </message>
    <message>
        <source>Invitation revoked</source>
        <translation>Invitation révoquée</translation>
    </message>
    <message>
        <source>Invitation accepted</source>
        <translation>Invitation acceptée</translation>
    </message>
    <message>
        <source>Password correct, second factor asked</source>
        <translation>Mot de passe correct, second facteur demandé</translation>
    </message>
    <message>
        <source>GitHub or Google sign-in refused</source>
        <translation>Connexion par GitHub ou Google refusée</translation>
    </message>
    <message>
        <source>Second factor setup started</source>
        <translation>Configuration du second facteur commencée</translation>
    </message>
    <message>
        <source>Second factor turned on</source>
        <translation>Second facteur activé</translation>
    </message>
    <message>
        <source>Second factor turned off</source>
        <translation>Second facteur désactivé</translation>
    </message>
    <message>
        <source>Second factor reset by an admin</source>
        <translation>Second facteur réinitialisé par un administrateur</translation>
    </message>
    <message>
        <source>Wrong second-factor code</source>
        <translation>Code du second facteur erroné</translation>
    </message>
    <message>
        <source>Recovery code used</source>
        <translation>Code de récupération utilisé</translation>
    </message>
    <message>
        <source>New recovery codes made</source>
        <translation>Nouveaux codes de récupération créés</translation>
    </message>
    <message>
        <source>Signed up</source>
        <translation>Inscrit</translation>
    </message>
    <message>
        <source>Signed up with GitHub or Google</source>
        <translation>Inscrit avec GitHub ou Google</translation>
    </message>
    <message>
        <source>Signup with an address already registered</source>
        <translation>Inscription avec une adresse déjà enregistrée</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Approuvée</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Refusée</translation>
    </message>
    <message>
        <source>Super-user created</source>
        <translation>Super-utilisateur créé</translation>
    </message>
    <message>
        <source>Account disabled</source>
        <translation>Compte désactivé</translation>
    </message>
    <message>
        <source>Account enabled</source>
        <translation>Compte réactivé</translation>
    </message>
    <message>
        <source>Sessions ended</source>
        <translation>Sessions fermées</translation>
    </message>
    <message>
        <source>Email verified</source>
        <translation>E-mail vérifié</translation>
    </message>
    <message>
        <source>Email marked verified by an admin</source>
        <translation>E-mail marqué comme vérifié par un administrateur</translation>
    </message>
    <message>
        <source>Verification email resent</source>
        <translation>E-mail de vérification renvoyé</translation>
    </message>
    <message>
        <source>Verification revoked by an admin</source>
        <translation>Vérification révoquée par un administrateur</translation>
    </message>
    <message>
        <source>Verification failed</source>
        <translation>Échec de la vérification</translation>
    </message>
    <message>
        <source>Verification token issued</source>
        <translation>Jeton de vérification émis</translation>
    </message>
    <message>
        <source>Verification token used</source>
        <translation>Jeton de vérification utilisé</translation>
    </message>
    <message>
        <source>Verification token revoked</source>
        <translation>Jeton de vérification révoqué</translation>
    </message>
    <message>
        <source>Verification token burned</source>
        <translation>Jeton de vérification bloqué</translation>
    </message>
    <message>
        <source>Verification token expired</source>
        <translation>Jeton de vérification expiré</translation>
    </message>
    <message>
        <source>Email link page visited</source>
        <translation>Page du lien de l’e-mail consultée</translation>
    </message>
    <message>
        <source>Logged in</source>
        <translation>Connecté</translation>
    </message>
    <message>
        <source>Login failed</source>
        <translation>Échec de connexion</translation>
    </message>
    <message>
        <source>Locked out after failed logins</source>
        <translation>Bloqué après des échecs de connexion</translation>
    </message>
    <message>
        <source>Login refused: locked out</source>
        <translation>Connexion refusée : compte bloqué</translation>
    </message>
    <message>
        <source>Login link sent</source>
        <translation>Lien de connexion envoyé</translation>
    </message>
    <message>
        <source>GitHub or Google sign-in linked</source>
        <translation>Connexion GitHub ou Google associée</translation>
    </message>
    <message>
        <source>GitHub or Google sign-in unlinked</source>
        <translation>Connexion GitHub ou Google dissociée</translation>
    </message>
    <message>
        <source>GitHub or Google sign-in confirmed</source>
        <translation>Connexion GitHub ou Google confirmée</translation>
    </message>
    <message>
        <source>GitHub or Google sign-in failed</source>
        <translation>Échec de la connexion GitHub ou Google</translation>
    </message>
    <message>
        <source>Unverified account replaced by a GitHub or Google sign-in</source>
        <translation>Compte non vérifié remplacé par une connexion GitHub ou Google</translation>
    </message>
    <message>
        <source>Email queued</source>
        <translation>E-mail mis en file d’attente</translation>
    </message>
    <message>
        <source>Email sent</source>
        <translation>E-mail envoyé</translation>
    </message>
    <message>
        <source>Email delivery failed, will retry</source>
        <translation>Échec de l’envoi de l’e-mail, nouvel essai prévu</translation>
    </message>
    <message>
        <source>Email delivery failed for good</source>
        <translation>Échec définitif de l’envoi de l’e-mail</translation>
    </message>
    <message>
        <source>Email held</source>
        <translation>E-mail retenu</translation>
    </message>
    <message>
        <source>Email retried</source>
        <translation>E-mail renvoyé</translation>
    </message>
    <message>
        <source>Signup closed</source>
        <translation>Inscriptions fermées</translation>
    </message>
    <message>
        <source>Signup reopened</source>
        <translation>Inscriptions rouvertes</translation>
    </message>
    <message>
        <source>Approval required</source>
        <translation>Approbation requise</translation>
    </message>
    <message>
        <source>Approval no longer required</source>
        <translation>Approbation plus requise</translation>
    </message>
    <message>
        <source>Settings changed</source>
        <translation>Paramètres modifiés</translation>
    </message>
    <message>
        <source>system</source>
        <translation>système</translation>
    </message>
    <message>
        <source>console</source>
        <translation>console</translation>
    </message>
    <message>
        <source>%1 (console)</source>
        <translation>%1 (console)</translation>
    </message>
    <message>
        <source>command line</source>
        <translation>ligne de commande</translation>
    </message>
    <message>
        <source>%1 (command line)</source>
        <translation>%1 (ligne de commande)</translation>
    </message>
    <message>
        <source>the user</source>
        <translation>l’utilisateur</translation>
    </message>
    <message>
        <source>%1 (the user)</source>
        <translation>%1 (l’utilisateur)</translation>
    </message>
    <message>
        <source>admin %1</source>
        <translation>administrateur %1</translation>
    </message>
    <message>
        <source>Display name changed by an admin</source>
        <translation>Nom affiché modifié par un admin</translation>
    </message>
    <message>
        <source>Account deleted</source>
        <translation>Compte supprimé</translation>
    </message>
    <message>
        <source>Session ended</source>
        <translation>Session terminée</translation>
    </message>
    <message>
        <source>Other sessions ended</source>
        <translation>Autres sessions terminées</translation>
    </message>
    <message>
        <source>Password reset requested</source>
        <translation>Réinitialisation du mot de passe demandée</translation>
    </message>
    <message>
        <source>Password reset failed</source>
        <translation>Échec de la réinitialisation du mot de passe</translation>
    </message>
    <message>
        <source>Password reset</source>
        <translation>Mot de passe réinitialisé</translation>
    </message>
    <message>
        <source>Password changed</source>
        <translation>Mot de passe modifié</translation>
    </message>
    <message>
        <source>Email change requested</source>
        <translation>Changement d&apos;adresse e-mail demandé</translation>
    </message>
    <message>
        <source>Email change failed</source>
        <translation>Échec du changement d&apos;adresse e-mail</translation>
    </message>
    <message>
        <source>Email changed</source>
        <translation>Adresse e-mail modifiée</translation>
    </message>
</context>
<context>
    <name>sd::ui::BulkProgress</name>
    <message>
        <source>%v of %m</source>
        <translation>%v sur %m</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Interrompre</translation>
    </message>
</context>
<context>
    <name>sd::ui::ConfirmAction</name>
    <message>
        <source>%1 and %2</source>
        <translation>%1 et %2</translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 et %n autre</numerusform>
            <numerusform>%1 et %n autres</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::ConsolePage</name>
    <message>
        <source>Search…</source>
        <translation>Rechercher…</translation>
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
        <translation>%1&#xa0;s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1&#xa0;min %2&#xa0;s</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1&#xa0;min</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1&#xa0;h %2&#xa0;min</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1&#xa0;h</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1&#xa0;j %2&#xa0;h</translation>
    </message>
    <message>
        <source>%1 d</source>
        <translation>%1&#xa0;j</translation>
    </message>
    <message>
        <source>d</source>
        <comment>unit: days</comment>
        <translation>j</translation>
    </message>
    <message>
        <source>h</source>
        <comment>unit: hours</comment>
        <translation>h</translation>
    </message>
    <message>
        <source>min</source>
        <comment>unit: minutes</comment>
        <translation>min</translation>
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
        <translation>7 derniers jours</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>30 derniers jours</translation>
    </message>
    <message>
        <source>Last 90 days</source>
        <translation>90 derniers jours</translation>
    </message>
    <message>
        <source>&amp;Range:</source>
        <translation>&amp;Période&#xa0;:</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Chargement…</translation>
    </message>
    <message>
        <source>Signups per day</source>
        <translation>Inscriptions par jour</translation>
    </message>
    <message>
        <source>Signups</source>
        <translation>Inscriptions</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n signup(s)</source>
        <translation>
            <numerusform>%1&#xa0;: %n inscription</numerusform>
            <numerusform>%1&#xa0;: %n inscriptions</numerusform>
        </translation>
    </message>
    <message>
        <source>From signup to approval</source>
        <translation>De l’inscription à l’approbation</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Refusées</translation>
    </message>
    <message>
        <source>Time to verify the email</source>
        <translation>Délai de vérification de l’e-mail</translation>
    </message>
    <message numerus="yes">
        <source>%n signup(s) from %1 to %2</source>
        <translation>
            <numerusform>%n inscription du %1 au %2</numerusform>
            <numerusform>%n inscriptions du %1 au %2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>No one signed up in the last %n day(s).</source>
        <translation>
            <numerusform>Aucune inscription sur %n jour.</numerusform>
            <numerusform>Aucune inscription sur les %n derniers jours.</numerusform>
        </translation>
    </message>
    <message>
        <source>The charts appear with the first signup and follow new ones live.</source>
        <translation>Les graphiques apparaissent avec la première inscription et suivent les nouvelles en direct.</translation>
    </message>
    <message>
        <source>d MMM</source>
        <comment>date format of the day labels</comment>
        <translation>d MMM</translation>
    </message>
    <message>
        <source>Rejected: %1 (%2)</source>
        <translation>Refusées&#xa0;: %1 (%2)</translation>
    </message>
    <message>
        <source>Approved: %1 (%2)</source>
        <translation>Approuvées&#xa0;: %1 (%2)</translation>
    </message>
    <message>
        <source>Verified: %1 (%2)</source>
        <translation>Vérifiées&#xa0;: %1 (%2)</translation>
    </message>
    <message>
        <source>Signed up: %1</source>
        <translation>Inscrites&#xa0;: %1</translation>
    </message>
    <message numerus="yes">
        <source>Of %n signup(s): %1 verified (%2), %3 approved (%4), %5 rejected (%6).</source>
        <translation>
            <numerusform>Sur %n inscription&#xa0;: vérifiées %1 (%2), approuvées %3 (%4), refusées %5 (%6).</numerusform>
            <numerusform>Sur %n inscriptions&#xa0;: vérifiées %1 (%2), approuvées %3 (%4), refusées %5 (%6).</numerusform>
        </translation>
    </message>
    <message>
        <source>No signup of this range has verified its email yet.</source>
        <translation>Aucune inscription de cette période n’a encore vérifié son e-mail.</translation>
    </message>
    <message numerus="yes">
        <source>Median %1, 90th percentile %2 (%n signup(s) verified by link or code).</source>
        <translation>
            <numerusform>Médiane %1, 90e centile %2 (%n inscription vérifiée par lien ou code).</numerusform>
            <numerusform>Médiane %1, 90e centile %2 (%n inscriptions vérifiées par lien ou code).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::DurationEdit</name>
    <message>
        <source>seconds</source>
        <translation>secondes</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>minutes</translation>
    </message>
    <message>
        <source>hours</source>
        <translation>heures</translation>
    </message>
    <message>
        <source>days</source>
        <translation>jours</translation>
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
        <translation>Fournisseur</translation>
    </message>
    <message>
        <source>Provider email</source>
        <translation>E-mail chez le fournisseur</translation>
    </message>
    <message>
        <source>Linked since</source>
        <translation>Associé depuis</translation>
    </message>
</context>
<context>
    <name>sd::ui::InvitationTableModel</name>
    <message>
        <source>Pending</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Acceptée</translation>
    </message>
    <message>
        <source>Revoked</source>
        <translation>Révoquée</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Expirée</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>Nom affiché</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Apps</source>
        <translation>Applications</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>Groupes</translation>
    </message>
    <message>
        <source>Invited</source>
        <translation>Invitée le</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>Expire le</translation>
    </message>
    <message>
        <source>Invited by</source>
        <translation>Invitée par</translation>
    </message>
</context>
<context>
    <name>sd::ui::InvitationsPage</name>
    <message>
        <source>All invitations</source>
        <translation>Toutes les invitations</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Acceptées</translation>
    </message>
    <message>
        <source>Revoked</source>
        <translation>Révoquées</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Expirées</translation>
    </message>
    <message>
        <source>&amp;Invite…</source>
        <translation>&amp;Inviter…</translation>
    </message>
    <message>
        <source>&amp;Revoke</source>
        <translation>&amp;Révoquer</translation>
    </message>
    <message>
        <source>Invited %1; the invitation email is queued.</source>
        <translation>%1 invité(e)&#xa0;; l’e-mail d’invitation est en file d’attente.</translation>
    </message>
    <message>
        <source>This invitation no longer exists.</source>
        <translation>Cette invitation n’existe plus.</translation>
    </message>
    <message>
        <source>This invitation is no longer pending (accepted, revoked or expired meanwhile).</source>
        <translation>Cette invitation n’est plus en attente (acceptée, révoquée ou expirée entre-temps).</translation>
    </message>
    <message>
        <source>Revoke invitations</source>
        <translation>Révoquer des invitations</translation>
    </message>
    <message>
        <source>Revoke the invitation of %1? Its link stops working at once.</source>
        <translation>Révoquer l’invitation de %1&#xa0;? Son lien cesse aussitôt de fonctionner.</translation>
    </message>
    <message numerus="yes">
        <source>Revoked %n invitation(s): %1.</source>
        <translation>
            <numerusform>%n invitation révoquée&#xa0;: %1.</numerusform>
            <numerusform>%n invitations révoquées&#xa0;: %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::InviteDialog</name>
    <message>
        <source>Invite someone</source>
        <translation>Inviter quelqu’un</translation>
    </message>
    <message>
        <source>They get an email with a link to create an active account with this address, even while signup is closed.</source>
        <translation>La personne reçoit un e-mail avec un lien pour créer un compte actif à cette adresse, même quand les inscriptions sont fermées.</translation>
    </message>
    <message>
        <source>name@example.com</source>
        <translation>nom@example.com</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Facultatif</translation>
    </message>
    <message>
        <source>None ticked: the first configured app.</source>
        <translation>Aucune cochée&#xa0;: la première application configurée.</translation>
    </message>
    <message>
        <source>Comma-separated; optional</source>
        <translation>Séparés par des virgules&#xa0;; facultatif</translation>
    </message>
    <message>
        <source>Comma-separated; empty: %1</source>
        <translation>Séparés par des virgules&#xa0;; vide&#xa0;: %1</translation>
    </message>
    <message>
        <source>English</source>
        <translation>Anglais</translation>
    </message>
    <message>
        <source>French</source>
        <translation>Français</translation>
    </message>
    <message>
        <source>German</source>
        <translation>Allemand</translation>
    </message>
    <message>
        <source>&amp;Email:</source>
        <translation>&amp;E-mail&#xa0;:</translation>
    </message>
    <message>
        <source>&amp;Display name:</source>
        <translation>&amp;Nom affiché&#xa0;:</translation>
    </message>
    <message>
        <source>&amp;Apps:</source>
        <translation>A&amp;pplications&#xa0;:</translation>
    </message>
    <message>
        <source>&amp;Groups:</source>
        <translation>&amp;Groupes&#xa0;:</translation>
    </message>
    <message>
        <source>Email &amp;language:</source>
        <translation>&amp;Langue de l’e-mail&#xa0;:</translation>
    </message>
    <message>
        <source>Send invitation</source>
        <translation>Envoyer l’invitation</translation>
    </message>
    <message>
        <source>An account or a pending invitation already has this address.</source>
        <translation>Un compte ou une invitation en attente utilise déjà cette adresse.</translation>
    </message>
    <message>
        <source>This is not a valid email address.</source>
        <translation>Cette adresse e-mail n’est pas valide.</translation>
    </message>
    <message>
        <source>This display name is too long or contains characters that are not allowed.</source>
        <translation>Ce nom affiché est trop long ou contient des caractères non autorisés.</translation>
    </message>
    <message>
        <source>One of these apps is no longer configured.</source>
        <translation>Une de ces applications n’est plus configurée.</translation>
    </message>
    <message>
        <source>A group name is empty or contains characters that are not allowed.</source>
        <translation>Un nom de groupe est vide ou contient des caractères non autorisés.</translation>
    </message>
</context>
<context>
    <name>sd::ui::MainWindow</name>
    <message>
        <source>Mail (%1): last sent %2</source>
        <translation>E-mail (%1)&#xa0;: dernier envoi à %2</translation>
    </message>
    <message>
        <source>Mail (%1): an email failed for good: %2</source>
        <translation>E-mail (%1)&#xa0;: échec définitif d’un e-mail&#xa0;: %2</translation>
    </message>
    <message>
        <source>Mail (%1): failing, will retry: %2</source>
        <translation>E-mail (%1)&#xa0;: échec, nouvel essai prévu&#xa0;: %2</translation>
    </message>
    <message>
        <source>SignupDesk</source>
        <translation>SignupDesk</translation>
    </message>
    <message>
        <source>Not listening</source>
        <translation>Aucune écoute</translation>
    </message>
    <message>
        <source>Listening on %1</source>
        <translation>Écoute sur %1</translation>
    </message>
    <message>
        <source>Database: checking…</source>
        <translation>Base de données&#xa0;: vérification…</translation>
    </message>
    <message>
        <source>Mail (%1): idle</source>
        <translation>E-mail (%1)&#xa0;: inactif</translation>
    </message>
    <message>
        <source>Requests in the last minute: %1</source>
        <translation>Requêtes de la dernière minute&#xa0;: %1</translation>
    </message>
    <message>
        <source>Si&amp;gnups</source>
        <translation>Ins&amp;criptions</translation>
    </message>
    <message>
        <source>&amp;Users</source>
        <translation>&amp;Utilisateurs</translation>
    </message>
    <message>
        <source>&amp;Outbox</source>
        <translation>&amp;Boîte d’envoi</translation>
    </message>
    <message>
        <source>Audit &amp;log</source>
        <translation>&amp;Journal d’audit</translation>
    </message>
    <message>
        <source>Re&amp;load</source>
        <translation>&amp;Actualiser</translation>
    </message>
    <message>
        <source>&amp;Find</source>
        <translation>Rec&amp;hercher</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;Signups</source>
        <translation>&amp;Inscriptions</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Actions</translation>
    </message>
    <message>
        <source>New signup</source>
        <translation>Nouvelle inscription</translation>
    </message>
    <message>
        <source>%1 &lt;%2&gt; signed up.</source>
        <translation>%1 &lt;%2&gt; vient de s’inscrire.</translation>
    </message>
    <message>
        <source>%1 to approve, %2 awaiting verification</source>
        <translation>%1 à approuver, %2 en attente de vérification</translation>
    </message>
    <message>
        <source>SignupDesk (%1)</source>
        <translation>SignupDesk (%1)</translation>
    </message>
    <message numerus="yes">
        <source>SignupDesk: %n signup(s) to approve</source>
        <translation>
            <numerusform>SignupDesk&#xa0;: %n inscription à approuver</numerusform>
            <numerusform>SignupDesk&#xa0;: %n inscriptions à approuver</numerusform>
        </translation>
    </message>
    <message>
        <source>Database: %1, OK</source>
        <translation>Base de données&#xa0;: %1, OK</translation>
    </message>
    <message>
        <source>Database: %1, not answering</source>
        <translation>Base de données&#xa0;: %1, ne répond pas</translation>
    </message>
    <message>
        <source>&amp;Dashboard</source>
        <translation>&amp;Tableau de bord</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <source>&amp;Close signup now</source>
        <translation>&amp;Fermer les inscriptions</translation>
    </message>
    <message>
        <source>Refuse every new signup at once, on every instance sharing the database (again to reopen)</source>
        <translation>Refuser immédiatement toute nouvelle inscription, sur toutes les instances partageant la base de données (à nouveau pour rouvrir)</translation>
    </message>
    <message>
        <source>New accounts wait for an admin&apos;s approval after confirming their email, on every instance sharing the database</source>
        <translation>Les nouveaux comptes attendent l’approbation d’un administrateur après avoir confirmé leur e-mail, sur toutes les instances partageant la base de données</translation>
    </message>
    <message>
        <source>Signup control</source>
        <translation>Contrôle des inscriptions</translation>
    </message>
    <message>
        <source>SIGNUP CLOSED</source>
        <translation>INSCRIPTIONS FERMÉES</translation>
    </message>
    <message>
        <source>New signups are refused (Signups → Close signup now to reopen).</source>
        <translation>Les nouvelles inscriptions sont refusées (Inscriptions → Fermer les inscriptions pour rouvrir).</translation>
    </message>
    <message>
        <source>Signup open, approval required</source>
        <translation>Inscriptions ouvertes, approbation requise</translation>
    </message>
    <message>
        <source>Signup open, no approval</source>
        <translation>Inscriptions ouvertes, sans approbation</translation>
    </message>
    <message>
        <source>Signup is closed: new signups are refused.</source>
        <translation>Les inscriptions sont fermées&#xa0;: les nouvelles inscriptions sont refusées.</translation>
    </message>
    <message>
        <source>Signup is open again.</source>
        <translation>Les inscriptions sont de nouveau ouvertes.</translation>
    </message>
    <message>
        <source>Approval is required: new accounts wait for an admin.</source>
        <translation>L’approbation est requise&#xa0;: les nouveaux comptes attendent un administrateur.</translation>
    </message>
    <message>
        <source>Approval is no longer required: confirmed accounts are active at once.</source>
        <translation>L’approbation n’est plus requise&#xa0;: les comptes confirmés sont actifs immédiatement.</translation>
    </message>
    <message>
        <source>Loading signups…</source>
        <translation>Chargement des inscriptions…</translation>
    </message>
    <message>
        <source>F&amp;orce approval</source>
        <translation>Exi&amp;ger l’approbation</translation>
    </message>
    <message>
        <source>Re&amp;open signup</source>
        <translation>R&amp;ouvrir les inscriptions</translation>
    </message>
    <message>
        <source>&amp;Webhooks</source>
        <translation>&amp;Webhooks</translation>
    </message>
    <message>
        <source>&amp;Invitations</source>
        <translation>In&amp;vitations</translation>
    </message>
</context>
<context>
    <name>sd::ui::MessageBar</name>
    <message>
        <source>Dismiss</source>
        <translation>Fermer</translation>
    </message>
</context>
<context>
    <name>sd::ui::OutboxPage</name>
    <message>
        <source>Select an email to see its preview.</source>
        <translation>Sélectionnez un e-mail pour en voir l’aperçu.</translation>
    </message>
    <message>
        <source>All emails</source>
        <translation>Tous les e-mails</translation>
    </message>
    <message>
        <source>Waiting (queued, sending)</source>
        <translation>En attente (en file, en cours d’envoi)</translation>
    </message>
    <message>
        <source>Failed for good</source>
        <translation>Échec définitif</translation>
    </message>
    <message>
        <source>Held</source>
        <translation>Retenus</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Envoyés</translation>
    </message>
    <message>
        <source>&amp;Retry now</source>
        <translation>&amp;Réessayer maintenant</translation>
    </message>
    <message>
        <source>&amp;Hold</source>
        <translation>Re&amp;tenir</translation>
    </message>
    <message>
        <source>This email no longer exists.</source>
        <translation>Cet e-mail n’existe plus.</translation>
    </message>
    <message>
        <source>This email changed in the meantime (%1); it may be sending now.</source>
        <translation>Cet e-mail a changé entre-temps (%1)&#xa0;; il est peut-être en cours d’envoi.</translation>
    </message>
    <message numerus="yes">
        <source>%n email(s) queued to be sent now.</source>
        <translation>
            <numerusform>%n e-mail mis en file pour un envoi immédiat.</numerusform>
            <numerusform>%n e-mails mis en file pour un envoi immédiat.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n email(s) held; Retry sends them.</source>
        <translation>
            <numerusform>%n e-mail retenu&#xa0;; «&#xa0;Réessayer maintenant&#xa0;» l’envoie.</numerusform>
            <numerusform>%n e-mails retenus&#xa0;; «&#xa0;Réessayer maintenant&#xa0;» les envoie.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::OutboxTableModel</name>
    <message>
        <source>Verification</source>
        <translation>Vérification</translation>
    </message>
    <message>
        <source>Already registered</source>
        <translation>Déjà inscrit</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>Bienvenue</translation>
    </message>
    <message>
        <source>Rejection</source>
        <translation>Refus</translation>
    </message>
    <message>
        <source>Login link</source>
        <translation>Lien de connexion</translation>
    </message>
    <message>
        <source>Queued, retry %1</source>
        <translation>En file, nouvel essai %1</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>En file d’attente</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Envoi en cours</translation>
    </message>
    <message>
        <source>Sent %1</source>
        <translation>Envoyé %1</translation>
    </message>
    <message>
        <source>Failed for good</source>
        <translation>Échec définitif</translation>
    </message>
    <message>
        <source>Held</source>
        <translation>Retenu</translation>
    </message>
    <message>
        <source>To: %1</source>
        <translation>À&#xa0;: %1</translation>
    </message>
    <message>
        <source>From: %1</source>
        <translation>De&#xa0;: %1</translation>
    </message>
    <message>
        <source>Subject: %1</source>
        <translation>Objet&#xa0;: %1</translation>
    </message>
    <message>
        <source>Kind: %1, queued %2</source>
        <translation>Type&#xa0;: %1, mis en file le %2</translation>
    </message>
    <message numerus="yes">
        <source>Status: %1, %n attempt(s)</source>
        <translation>
            <numerusform>État&#xa0;: %1, %n tentative</numerusform>
            <numerusform>État&#xa0;: %1, %n tentatives</numerusform>
        </translation>
    </message>
    <message>
        <source>Server&apos;s reply: %1</source>
        <translation>Réponse du serveur&#xa0;: %1</translation>
    </message>
    <message>
        <source>Last error: %1</source>
        <translation>Dernière erreur&#xa0;: %1</translation>
    </message>
    <message>
        <source>The body was redacted after sending: it held a link with a token.</source>
        <translation>Le corps a été masqué après l’envoi&#xa0;: il contenait un lien avec un jeton.</translation>
    </message>
    <message>
        <source>The body holds a link with a live token, so the console does not show it; it is redacted once the email is sent.</source>
        <translation>Le corps contient un lien avec un jeton valide&#xa0;; la console ne l’affiche donc pas. Il sera masqué une fois l’e-mail envoyé.</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Recipient</source>
        <translation>Destinataire</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Objet</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Tentatives</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Dernière erreur</translation>
    </message>
    <message>
        <source>Queued</source>
        <comment>column header: when the email was queued</comment>
        <translation>Mis en file</translation>
    </message>
    <message>
        <source>Password reset</source>
        <translation>Réinitialisation du mot de passe</translation>
    </message>
    <message>
        <source>Password changed</source>
        <translation>Mot de passe changé</translation>
    </message>
    <message>
        <source>Email change</source>
        <translation>Changement d’adresse</translation>
    </message>
    <message>
        <source>Email change notice</source>
        <translation>Avis de changement d’adresse</translation>
    </message>
    <message>
        <source>Goodbye</source>
        <translation>Au revoir</translation>
    </message>
    <message>
        <source>Invitation</source>
        <translation>Invitation</translation>
    </message>
    <message>
        <source>Second factor turned on</source>
        <translation>Second facteur activé</translation>
    </message>
    <message>
        <source>Second factor turned off</source>
        <translation>Second facteur désactivé</translation>
    </message>
    <message>
        <source>Second factor reset</source>
        <translation>Second facteur réinitialisé</translation>
    </message>
    <message>
        <source>New recovery codes</source>
        <translation>Nouveaux codes de récupération</translation>
    </message>
    <message>
        <source>Recovery code used</source>
        <translation>Code de récupération utilisé</translation>
    </message>
</context>
<context>
    <name>sd::ui::ReasonDialog</name>
    <message>
        <source>Type a reason or pick a preset</source>
        <translation>Saisissez un motif ou choisissez un modèle</translation>
    </message>
    <message>
        <source>&amp;Save as preset</source>
        <translation>&amp;Enregistrer comme modèle</translation>
    </message>
    <message>
        <source>&amp;Delete preset</source>
        <translation>&amp;Supprimer le modèle</translation>
    </message>
</context>
<context>
    <name>sd::ui::SessionTableModel</name>
    <message>
        <source>unknown</source>
        <translation>inconnu</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Ouverte</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>Dernière utilisation</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Browser</source>
        <translation>Navigateur</translation>
    </message>
</context>
<context>
    <name>sd::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Settings file: %1</source>
        <translation>Fichier de paramètres&#xa0;: %1</translation>
    </message>
    <message>
        <source>Settings file: %1 (made on the first save)</source>
        <translation>Fichier de paramètres&#xa0;: %1 (créé au premier enregistrement)</translation>
    </message>
    <message>
        <source>&amp;Signup</source>
        <translation>&amp;Inscription</translation>
    </message>
    <message>
        <source>&amp;Mail</source>
        <translation>&amp;E-mail</translation>
    </message>
    <message>
        <source>&amp;TLS</source>
        <translation>&amp;TLS</translation>
    </message>
    <message>
        <source>&amp;Console</source>
        <translation>&amp;Console</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Parcourir…</translation>
    </message>
    <message>
        <source>PEM files (*.pem *.crt *.key *.cer);;All files (*)</source>
        <translation>Fichiers PEM (*.pem *.crt *.key *.cer);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>These apply at once, on every instance sharing the database, and are saved to the settings file.</source>
        <translation>Ces réglages s’appliquent immédiatement, sur toutes les instances partageant la base de données, et sont enregistrés dans le fichier de paramètres.</translation>
    </message>
    <message>
        <source>Accept new signups</source>
        <translation>Accepter les nouvelles inscriptions</translation>
    </message>
    <message>
        <source>New accounts wait for an admin&apos;s approval</source>
        <translation>Les nouveaux comptes attendent l’approbation d’un administrateur</translation>
    </message>
    <message>
        <source>App code names a signup may ask for; the first is the default. Double-click a name to edit it.</source>
        <translation>Noms de code des applications qu’une inscription peut demander&#xa0;; le premier est celui par défaut. Double-cliquez sur un nom pour le modifier.</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Ajouter</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Supprimer</translation>
    </message>
    <message>
        <source>new-app</source>
        <translation>nouvelle-app</translation>
    </message>
    <message>
        <source>Apps:</source>
        <translation>Applications&#xa0;:</translation>
    </message>
    <message>
        <source>Group of new accounts:</source>
        <translation>Groupe des nouveaux comptes&#xa0;:</translation>
    </message>
    <message>
        <source>Verification link valid for:</source>
        <translation>Validité du lien de vérification&#xa0;:</translation>
    </message>
    <message>
        <source>Login link valid for:</source>
        <translation>Validité du lien de connexion&#xa0;:</translation>
    </message>
    <message>
        <source>Session lasts at most:</source>
        <translation>Durée maximale d’une session&#xa0;:</translation>
    </message>
    <message>
        <source>Session ends after idle:</source>
        <translation>Fin de session après inactivité&#xa0;:</translation>
    </message>
    <message>
        <source>Transport (applies after a restart)</source>
        <translation>Transport (s’applique après un redémarrage)</translation>
    </message>
    <message>
        <source>Files in a folder</source>
        <translation>Fichiers dans un dossier</translation>
    </message>
    <message>
        <source>SMTP server</source>
        <translation>Serveur SMTP</translation>
    </message>
    <message>
        <source>Send email as:</source>
        <translation>Envoyer les e-mails par&#xa0;:</translation>
    </message>
    <message>
        <source>Folder:</source>
        <translation>Dossier&#xa0;:</translation>
    </message>
    <message>
        <source>smtp:// (STARTTLS when offered) or smtps://, with user and password if the server wants them</source>
        <translation>smtp:// (STARTTLS si proposé) ou smtps://, avec utilisateur et mot de passe si le serveur les demande</translation>
    </message>
    <message>
        <source>SMTP URL:</source>
        <translation>URL SMTP&#xa0;:</translation>
    </message>
    <message>
        <source>the system&apos;s certificate authorities</source>
        <translation>les autorités de certification du système</translation>
    </message>
    <message>
        <source>Trust CA file:</source>
        <translation>Fichier d’AC de confiance&#xa0;:</translation>
    </message>
    <message>
        <source>CA certificates</source>
        <translation>Certificats d’AC</translation>
    </message>
    <message>
        <source>Sender and emails (apply at once)</source>
        <translation>Expéditeur et e-mails (s’appliquent immédiatement)</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>De&#xa0;:</translation>
    </message>
    <message>
        <source>Send a welcome email when an account becomes active</source>
        <translation>Envoyer un e-mail de bienvenue quand un compte devient actif</translation>
    </message>
    <message>
        <source>Send an email when a signup is rejected</source>
        <translation>Envoyer un e-mail quand une inscription est refusée</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>Essai</translation>
    </message>
    <message>
        <source>address to send a test email to</source>
        <translation>adresse à laquelle envoyer un e-mail d’essai</translation>
    </message>
    <message>
        <source>Sends through the transport, sender and CA file shown above, saved or not.</source>
        <translation>Envoie par le transport, l’expéditeur et le fichier d’AC affichés ci-dessus, enregistrés ou non.</translation>
    </message>
    <message>
        <source>PEM files for HTTPS. With both set the server speaks HTTPS only; with neither, plain HTTP. Applies after a restart.</source>
        <translation>Fichiers PEM pour HTTPS. Avec les deux, le serveur ne parle que HTTPS&#xa0;; sans aucun, HTTP simple. S’applique après un redémarrage.</translation>
    </message>
    <message>
        <source>Certificate (chain):</source>
        <translation>Certificat (chaîne)&#xa0;:</translation>
    </message>
    <message>
        <source>TLS certificate</source>
        <translation>Certificat TLS</translation>
    </message>
    <message>
        <source>Private key:</source>
        <translation>Clé privée&#xa0;:</translation>
    </message>
    <message>
        <source>TLS private key</source>
        <translation>Clé privée TLS</translation>
    </message>
    <message>
        <source>System</source>
        <translation>Système</translation>
    </message>
    <message>
        <source>Console language:</source>
        <translation>Langue de la console&#xa0;:</translation>
    </message>
    <message>
        <source>The console&apos;s language applies at its next start. It is kept for you alone, not in the settings file.</source>
        <translation>La langue de la console s’applique à son prochain démarrage. Elle n’est enregistrée que pour vous, pas dans le fichier de paramètres.</translation>
    </message>
    <message>
        <source>The settings file does not read cleanly (%1); the running settings are shown.</source>
        <translation>Le fichier de paramètres ne se lit pas correctement (%1)&#xa0;; les paramètres en cours sont affichés.</translation>
    </message>
    <message>
        <source>Set by a SIGNUPDESK_ environment variable or the command line (%1); change it there.</source>
        <translation>Défini par une variable d’environnement SIGNUPDESK_ ou par la ligne de commande (%1)&#xa0;; modifiez-le à cet endroit.</translation>
    </message>
    <message>
        <source>“%1” is not an app code name: use 1 to 64 letters, digits, dots, dashes or underscores.</source>
        <translation>«&#xa0;%1&#xa0;» n’est pas un nom de code d’application&#xa0;: utilisez de 1 à 64 lettres, chiffres, points, tirets ou tirets bas.</translation>
    </message>
    <message>
        <source>“%1” is listed twice.</source>
        <translation>«&#xa0;%1&#xa0;» figure deux fois.</translation>
    </message>
    <message>
        <source>Name at least one app.</source>
        <translation>Indiquez au moins une application.</translation>
    </message>
    <message>
        <source>A group name cannot hold a comma or a control character.</source>
        <translation>Un nom de groupe ne peut contenir ni virgule ni caractère de contrôle.</translation>
    </message>
    <message>
        <source>Give an SMTP URL like smtp://host:587 or smtps://user:password@host:465.</source>
        <translation>Indiquez une URL SMTP comme smtp://hôte:587 ou smtps://utilisateur:mot-de-passe@hôte:465.</translation>
    </message>
    <message>
        <source>Cannot read %1.</source>
        <translation>Impossible de lire %1.</translation>
    </message>
    <message>
        <source>%1 holds no PEM certificate.</source>
        <translation>%1 ne contient aucun certificat PEM.</translation>
    </message>
    <message>
        <source>Give a sender like SignupDesk &lt;noreply@example.org&gt;.</source>
        <translation>Indiquez un expéditeur comme SignupDesk &lt;noreply@example.org&gt;.</translation>
    </message>
    <message>
        <source>Give both the certificate and the key, or neither.</source>
        <translation>Indiquez le certificat et la clé, ou aucun des deux.</translation>
    </message>
    <message>
        <source>The server could not use these files: %1</source>
        <translation>Le serveur n’a pas pu utiliser ces fichiers&#xa0;: %1</translation>
    </message>
    <message>
        <source>Nothing was saved: correct the fields marked in red.</source>
        <translation>Rien n’a été enregistré&#xa0;: corrigez les champs marqués en rouge.</translation>
    </message>
    <message>
        <source>mail transport</source>
        <translation>transport des e-mails</translation>
    </message>
    <message>
        <source>mail folder</source>
        <translation>dossier des e-mails</translation>
    </message>
    <message>
        <source>SMTP URL</source>
        <translation>URL SMTP</translation>
    </message>
    <message>
        <source>SMTP CA file</source>
        <translation>fichier d’AC SMTP</translation>
    </message>
    <message>
        <source>TLS key</source>
        <translation>clé TLS</translation>
    </message>
    <message>
        <source>Cannot save to %1: %2. Nothing was changed.</source>
        <translation>Impossible d’enregistrer dans %1&#xa0;: %2. Rien n’a été modifié.</translation>
    </message>
    <message>
        <source>Saved to %1.</source>
        <translation>Enregistré dans %1.</translation>
    </message>
    <message>
        <source>Nothing to save: no setting changed.</source>
        <translation>Rien à enregistrer&#xa0;: aucun paramètre n’a changé.</translation>
    </message>
    <message>
        <source>Signup and email changes apply now, on every instance sharing the database.</source>
        <translation>Les changements d’inscription et d’e-mail s’appliquent maintenant, sur toutes les instances partageant la base de données.</translation>
    </message>
    <message>
        <source>Applies after a restart: %1.</source>
        <translation>S’applique après un redémarrage&#xa0;: %1.</translation>
    </message>
    <message>
        <source>The console language applies at its next start.</source>
        <translation>La langue de la console s’applique à son prochain démarrage.</translation>
    </message>
    <message>
        <source>Applying…</source>
        <translation>Application…</translation>
    </message>
    <message>
        <source>Saved to the file, but the live settings could not be applied: %1</source>
        <translation>Enregistré dans le fichier, mais les paramètres n’ont pas pu être appliqués en direct&#xa0;: %1</translation>
    </message>
    <message>
        <source>Give the address to send the test email to.</source>
        <translation>Indiquez l’adresse à laquelle envoyer l’e-mail d’essai.</translation>
    </message>
    <message>
        <source>The test email was not sent: correct the fields marked in red.</source>
        <translation>L’e-mail d’essai n’a pas été envoyé&#xa0;: corrigez les champs marqués en rouge.</translation>
    </message>
    <message>
        <source>SignupDesk test email</source>
        <translation>E-mail d’essai de SignupDesk</translation>
    </message>
    <message>
        <source>This is a test email from the SignupDesk console, sent through %1.

If you can read it, SignupDesk can send email.</source>
        <translation>Ceci est un e-mail d’essai envoyé par la console SignupDesk via %1.

Si vous pouvez le lire, SignupDesk sait envoyer des e-mails.</translation>
    </message>
    <message>
        <source>Sending to %1 through %2…</source>
        <translation>Envoi à %1 via %2…</translation>
    </message>
    <message>
        <source>Sent to %1 through %2.</source>
        <translation>Envoyé à %1 via %2.</translation>
    </message>
    <message>
        <source>Sent to %1 through %2. The server said: %3</source>
        <translation>Envoyé à %1 via %2. Réponse du serveur&#xa0;: %3</translation>
    </message>
    <message>
        <source>Not sent through %1: %2</source>
        <translation>Non envoyé via %1&#xa0;: %2</translation>
    </message>
    <message>
        <source>no answer</source>
        <translation>pas de réponse</translation>
    </message>
    <message>
        <source>Send a test &amp;email</source>
        <translation>En&amp;voyer un e-mail d’essai</translation>
    </message>
    <message>
        <source>Name the group that new accounts join.</source>
        <translation>Indiquez le groupe que rejoignent les nouveaux comptes.</translation>
    </message>
    <message>
        <source>Check the fields, write them to the settings file and apply the live settings now; the dialog stays open.</source>
        <translation>Vérifie les champs, les enregistre dans le fichier de paramètres et applique tout de suite les paramètres en direct ; la fenêtre reste ouverte.</translation>
    </message>
    <message>
        <source>As Apply, then close the dialog (it stays open if a field is wrong).</source>
        <translation>Comme Appliquer, puis ferme la fenêtre (elle reste ouverte si un champ est erroné).</translation>
    </message>
    <message>
        <source>Close without applying what was changed since the last Apply.</source>
        <translation>Fermer sans appliquer ce qui a changé depuis le dernier Appliquer.</translation>
    </message>
</context>
<context>
    <name>sd::ui::SignupTableModel</name>
    <message numerus="yes">
        <source>%n s</source>
        <translation>
            <numerusform>%n&#xa0;s</numerusform>
            <numerusform>%n&#xa0;s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n&#xa0;min</numerusform>
            <numerusform>%n&#xa0;min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h</source>
        <translation>
            <numerusform>%n&#xa0;h</numerusform>
            <numerusform>%n&#xa0;h</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n d</source>
        <translation>
            <numerusform>%n&#xa0;j</numerusform>
            <numerusform>%n&#xa0;j</numerusform>
        </translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>dans %1</translation>
    </message>
    <message>
        <source>%1 ago</source>
        <translation>il y a %1</translation>
    </message>
    <message>
        <source>Pending verification</source>
        <translation>En attente de vérification</translation>
    </message>
    <message>
        <source>Pending approval</source>
        <translation>En attente d’approbation</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Actif</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Désactivé</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucun</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>expiré</translation>
    </message>
    <message>
        <source>issued, expires %1</source>
        <translation>émis, expire %1</translation>
    </message>
    <message>
        <source>used</source>
        <translation>utilisé</translation>
    </message>
    <message numerus="yes">
        <source>burned (%n wrong codes)</source>
        <translation>
            <numerusform>bloqué (%n code erroné)</numerusform>
            <numerusform>bloqué (%n codes erronés)</numerusform>
        </translation>
    </message>
    <message>
        <source>revoked</source>
        <translation>révoqué</translation>
    </message>
    <message numerus="yes">
        <source>queued, retrying after %n attempts: %1</source>
        <translation>
            <numerusform>en file, nouvel essai après %n tentative&#xa0;: %1</numerusform>
            <numerusform>en file, nouvel essai après %n tentatives&#xa0;: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>queued</source>
        <translation>en file d’attente</translation>
    </message>
    <message>
        <source>sending</source>
        <translation>envoi en cours</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>envoyé</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>échec&#xa0;: %1</translation>
    </message>
    <message>
        <source>held by an admin</source>
        <translation>retenu par un administrateur</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message numerus="yes">
        <source>Rejecting in %n s…</source>
        <translation>
            <numerusform>Refus dans %n&#xa0;s…</numerusform>
            <numerusform>Refus dans %n&#xa0;s…</numerusform>
        </translation>
    </message>
    <message>
        <source>Server reply: %1</source>
        <translation>Réponse du serveur&#xa0;: %1</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Nom d’utilisateur</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>Nom affiché</translation>
    </message>
    <message>
        <source>Apps</source>
        <translation>Applications</translation>
    </message>
    <message>
        <source>Signed up</source>
        <translation>Inscrit le</translation>
    </message>
    <message>
        <source>Client address</source>
        <translation>Adresse du client</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Verification token</source>
        <translation>Jeton de vérification</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1&#xa0;j %2&#xa0;h</translation>
    </message>
    <message numerus="yes">
        <source>Approving in %n s…</source>
        <translation>
            <numerusform>Approbation dans %n s…</numerusform>
            <numerusform>Approbation dans %n s…</numerusform>
        </translation>
    </message>
    <message>
        <source>Email delivery</source>
        <translation>Envoi de l’e-mail</translation>
    </message>
</context>
<context>
    <name>sd::ui::SignupsPage</name>
    <message>
        <source>All pending</source>
        <translation>En attente (toutes)</translation>
    </message>
    <message>
        <source>Pending approval</source>
        <translation>En attente d’approbation</translation>
    </message>
    <message>
        <source>Pending verification</source>
        <translation>En attente de vérification</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Actif</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Désactivé</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Tout</translation>
    </message>
    <message>
        <source>Search username, email, name or address (Ctrl+F)</source>
        <translation>Rechercher par nom d’utilisateur, e-mail, nom ou adresse (Ctrl+F)</translation>
    </message>
    <message>
        <source>S&amp;how:</source>
        <translation>&amp;Afficher&#xa0;:</translation>
    </message>
    <message>
        <source>&amp;Approve</source>
        <translation>&amp;Approuver</translation>
    </message>
    <message>
        <source>&amp;Reject…</source>
        <translation>&amp;Refuser…</translation>
    </message>
    <message>
        <source>Re&amp;send verification</source>
        <translation>R&amp;envoyer la vérification</translation>
    </message>
    <message>
        <source>Revoke &amp;token</source>
        <translation>Révoquer le &amp;jeton</translation>
    </message>
    <message>
        <source>Mark &amp;verified…</source>
        <translation>Marquer comme &amp;vérifié…</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n of %2 failed. %3</source>
        <translation>
            <numerusform>%1&#xa0;: %n sur %2 a échoué. %3</numerusform>
            <numerusform>%1&#xa0;: %n sur %2 ont échoué. %3</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>(%n cancelled)</source>
        <translation>
            <numerusform>(%n annulée)</numerusform>
            <numerusform>(%n annulées)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n selected signup(s) are not pending approval and were skipped.</source>
        <translation>
            <numerusform>%n inscription sélectionnée n’est pas en attente d’approbation et a été ignorée.</numerusform>
            <numerusform>%n inscriptions sélectionnées ne sont pas en attente d’approbation et ont été ignorées.</numerusform>
        </translation>
    </message>
    <message>
        <source>Approving</source>
        <translation>Approbation</translation>
    </message>
    <message numerus="yes">
        <source>%n signup(s) approved.</source>
        <translation>
            <numerusform>%n inscription approuvée.</numerusform>
            <numerusform>%n inscriptions approuvées.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n selected signup(s) cannot be rejected (already active, or being rejected).</source>
        <translation>
            <numerusform>%n inscription sélectionnée ne peut pas être refusée (déjà active ou en cours de refus).</numerusform>
            <numerusform>%n inscriptions sélectionnées ne peuvent pas être refusées (déjà actives ou en cours de refus).</numerusform>
        </translation>
    </message>
    <message>
        <source>Reason (sent to the applicant):</source>
        <translation>Motif (envoyé au demandeur)&#xa0;:</translation>
    </message>
    <message>
        <source>We could not verify your identity.</source>
        <translation>Nous n’avons pas pu vérifier votre identité.</translation>
    </message>
    <message>
        <source>This service is for members only.</source>
        <translation>Ce service est réservé aux membres.</translation>
    </message>
    <message>
        <source>Duplicate account.</source>
        <translation>Compte en double.</translation>
    </message>
    <message numerus="yes">
        <source>%n selected signup(s) are not pending verification and were skipped.</source>
        <translation>
            <numerusform>%n inscription sélectionnée n’est pas en attente de vérification et a été ignorée.</numerusform>
            <numerusform>%n inscriptions sélectionnées ne sont pas en attente de vérification et ont été ignorées.</numerusform>
        </translation>
    </message>
    <message>
        <source>Resending</source>
        <translation>Renvoi</translation>
    </message>
    <message numerus="yes">
        <source>Verification resent for %n signup(s).</source>
        <translation>
            <numerusform>Vérification renvoyée pour %n inscription.</numerusform>
            <numerusform>Vérification renvoyée pour %n inscriptions.</numerusform>
        </translation>
    </message>
    <message>
        <source>Revoking</source>
        <translation>Révocation</translation>
    </message>
    <message numerus="yes">
        <source>Verification revoked for %n signup(s).</source>
        <translation>
            <numerusform>Vérification révoquée pour %n inscription.</numerusform>
            <numerusform>Vérification révoquée pour %n inscriptions.</numerusform>
        </translation>
    </message>
    <message>
        <source>Why is the email known to be good? (recorded in the audit log)</source>
        <translation>Pourquoi cette adresse e-mail est-elle connue comme valide&#xa0;? (consigné dans le journal d’audit)</translation>
    </message>
    <message>
        <source>Confirmed by phone.</source>
        <translation>Confirmé par téléphone.</translation>
    </message>
    <message>
        <source>Known colleague.</source>
        <translation>Collègue connu.</translation>
    </message>
    <message>
        <source>Marking verified</source>
        <translation>Marquage comme vérifié</translation>
    </message>
    <message numerus="yes">
        <source>%n signup(s) marked verified.</source>
        <translation>
            <numerusform>%n inscription marquée comme vérifiée.</numerusform>
            <numerusform>%n inscriptions marquées comme vérifiées.</numerusform>
        </translation>
    </message>
    <message>
        <source>Rejecting</source>
        <translation>Refus</translation>
    </message>
    <message numerus="yes">
        <source>%n signup(s) rejected.</source>
        <translation>
            <numerusform>%n inscription refusée.</numerusform>
            <numerusform>%n inscriptions refusées.</numerusform>
        </translation>
    </message>
    <message>
        <source>(%1)</source>
        <translation>(%1)</translation>
    </message>
    <message>
        <source>Reject %1</source>
        <translation>Refuser %1</translation>
    </message>
    <message>
        <source>Resend verification</source>
        <translation>Renvoyer la vérification</translation>
    </message>
    <message>
        <source>Send %1 a new verification email? The link sent before stops working.</source>
        <translation>Envoyer à %1 un nouvel e-mail de vérification ? Le lien envoyé auparavant cessera de fonctionner.</translation>
    </message>
    <message>
        <source>Resend</source>
        <translation>Renvoyer</translation>
    </message>
    <message>
        <source>Revoke verification</source>
        <translation>Révoquer la vérification</translation>
    </message>
    <message>
        <source>Revoke the verification link of %1? The link stops working at once; only a resend gives a new one.</source>
        <translation>Révoquer le lien de vérification de %1 ? Le lien cesse aussitôt de fonctionner ; seul un renvoi en donne un nouveau.</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation>Révoquer</translation>
    </message>
    <message>
        <source>Mark %1 verified</source>
        <translation>Marquer %1 comme vérifié</translation>
    </message>
    <message>
        <source>Approval undone: %1.</source>
        <translation>Approbation annulée : %1.</translation>
    </message>
    <message>
        <source>Reject undone: %1.</source>
        <translation>Refus annulé : %1.</translation>
    </message>
    <message>
        <source>&amp;Undo approve or reject</source>
        <translation>A&amp;nnuler l’approbation ou le refus</translation>
    </message>
</context>
<context>
    <name>sd::ui::TimelineModel</name>
    <message>
        <source>When</source>
        <translation>Quand</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Quoi</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Par</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Détail</translation>
    </message>
</context>
<context>
    <name>sd::ui::TimelinePane</name>
    <message>
        <source>Select a signup to see its timeline.</source>
        <translation>Sélectionnez une inscription pour voir son historique.</translation>
    </message>
    <message>
        <source>%1 &lt;%2&gt;%3
%4, signed up from %5</source>
        <translation>%1 &lt;%2&gt;%3
%4, inscription depuis %5</translation>
    </message>
    <message>
        <source>an unknown address</source>
        <translation>une adresse inconnue</translation>
    </message>
</context>
<context>
    <name>sd::ui::UndoBar</name>
    <message>
        <source>U&amp;ndo</source>
        <translation>Annu&amp;ler</translation>
    </message>
    <message>
        <source>Approving %1</source>
        <translation>Approbation de %1</translation>
    </message>
    <message>
        <source>Rejecting %1</source>
        <translation>Refus de %1</translation>
    </message>
    <message>
        <source>%1 in %2 s.</source>
        <translation>%1 dans %2 s.</translation>
    </message>
    <message>
        <source>Deleting %1</source>
        <translation>Suppression de %1</translation>
    </message>
</context>
<context>
    <name>sd::ui::UserPage</name>
    <message>
        <source>Yes</source>
        <translation>Oui</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Non</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Compte</translation>
    </message>
    <message>
        <source>Loading the account…</source>
        <translation>Chargement du compte…</translation>
    </message>
    <message>
        <source>Send &amp;reset link</source>
        <translation>Envoyer un lien de &amp;réinitialisation</translation>
    </message>
    <message>
        <source>Email the account a link and a code to choose a new password.</source>
        <translation>Envoie au compte un lien et un code pour choisir un nouveau mot de passe.</translation>
    </message>
    <message>
        <source>&amp;Disable</source>
        <translation>&amp;Désactiver</translation>
    </message>
    <message>
        <source>De&amp;lete…</source>
        <translation>&amp;Supprimer…</translation>
    </message>
    <message>
        <source>Delete the account for good, with a reason; a goodbye email is sent. Undo stays possible for a few seconds.</source>
        <translation>Supprime le compte définitivement, avec un motif ; un e-mail d&apos;adieu est envoyé. L&apos;annulation reste possible quelques secondes.</translation>
    </message>
    <message>
        <source>Username:</source>
        <translation>Nom d&apos;utilisateur :</translation>
    </message>
    <message>
        <source>Email:</source>
        <translation>E-mail :</translation>
    </message>
    <message>
        <source>Email verified:</source>
        <translation>E-mail vérifié :</translation>
    </message>
    <message>
        <source>&amp;Save name</source>
        <translation>&amp;Enregistrer le nom</translation>
    </message>
    <message>
        <source>Display &amp;name:</source>
        <translation>&amp;Nom affiché :</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>Statut :</translation>
    </message>
    <message>
        <source>Role:</source>
        <translation>Rôle :</translation>
    </message>
    <message>
        <source>Apps:</source>
        <translation>Applications :</translation>
    </message>
    <message>
        <source>Groups:</source>
        <translation>Groupes :</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Langue :</translation>
    </message>
    <message>
        <source>Signed up:</source>
        <translation>Inscrit :</translation>
    </message>
    <message>
        <source>Last login:</source>
        <translation>Dernière connexion :</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
    <message>
        <source>&amp;End session</source>
        <translation>&amp;Terminer la session</translation>
    </message>
    <message>
        <source>End &amp;all sessions</source>
        <translation>Terminer &amp;toutes les sessions</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sessions</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Mot de passe :</translation>
    </message>
    <message>
        <source>Second factor:</source>
        <translation>Second facteur :</translation>
    </message>
    <message>
        <source>On (a code from an authenticator app at every sign-in; the Users tab resets it)</source>
        <translation>Activé (un code d&apos;une application d&apos;authentification à chaque connexion ; l&apos;onglet Utilisateurs le réinitialise)</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Désactivé</translation>
    </message>
    <message>
        <source>Linked sign-ins:</source>
        <translation>Connexions liées :</translation>
    </message>
    <message>
        <source>Credentials</source>
        <translation>Identifiants</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Événements</translation>
    </message>
    <message>
        <source>Account %1</source>
        <translation>Compte %1</translation>
    </message>
    <message>
        <source>%1 &lt;%2&gt;%3
%4</source>
        <translation>%1 &lt;%2&gt;%3
%4</translation>
    </message>
    <message>
        <source>Super-user</source>
        <translation>Super-utilisateur</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Utilisateur</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucun</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>never</source>
        <translation>jamais</translation>
    </message>
    <message>
        <source>Set</source>
        <translation>Défini</translation>
    </message>
    <message>
        <source>Not set</source>
        <translation>Non défini</translation>
    </message>
    <message>
        <source> (signs in with a linked account or an email link; a reset link sets one)</source>
        <translation> (se connecte par un compte lié ou un lien par e-mail ; un lien de réinitialisation en définit un)</translation>
    </message>
    <message>
        <source>Sessions (%1)</source>
        <translation>Sessions (%1)</translation>
    </message>
    <message>
        <source>%1 no longer exists: the account was deleted.</source>
        <translation>%1 n&apos;existe plus : le compte a été supprimé.</translation>
    </message>
    <message>
        <source>Account %1 (deleted)</source>
        <translation>Compte %1 (supprimé)</translation>
    </message>
    <message>
        <source>The email address is not verified: no reset link can go to it.</source>
        <translation>L&apos;adresse e-mail n&apos;est pas vérifiée : aucun lien de réinitialisation ne peut y être envoyé.</translation>
    </message>
    <message>
        <source>&amp;Enable</source>
        <translation>&amp;Activer</translation>
    </message>
    <message>
        <source>Super-users are managed with the command line.</source>
        <translation>Les super-utilisateurs se gèrent en ligne de commande.</translation>
    </message>
    <message>
        <source>This account or session no longer exists.</source>
        <translation>Ce compte ou cette session n&apos;existe plus.</translation>
    </message>
    <message>
        <source>The display name is too long (at most 128 characters); nothing changed.</source>
        <translation>Le nom affiché est trop long (128 caractères au plus) ; rien n&apos;a changé.</translation>
    </message>
    <message>
        <source>The display name holds characters that are not allowed (control or invisible characters); nothing changed.</source>
        <translation>Le nom affiché contient des caractères interdits (caractères de contrôle ou invisibles) ; rien n&apos;a changé.</translation>
    </message>
    <message>
        <source>%1 changed in the meantime (%2); nothing was done.</source>
        <translation>%1 a changé entre-temps (%2) ; rien n&apos;a été fait.</translation>
    </message>
    <message>
        <source>Set the display name of %1 to “%2”?</source>
        <translation>Définir le nom affiché de %1 à « %2 » ?</translation>
    </message>
    <message>
        <source>Remove the display name “%2” of %1?</source>
        <translation>Retirer le nom affiché « %2 » de %1 ?</translation>
    </message>
    <message>
        <source>Change the display name of %1 from “%2” to “%3”?</source>
        <translation>Changer le nom affiché de %1 de « %2 » en « %3 » ?</translation>
    </message>
    <message>
        <source>Change the display name</source>
        <translation>Changer le nom affiché</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Changer</translation>
    </message>
    <message>
        <source>Display name of %1 changed.</source>
        <translation>Nom affiché de %1 modifié.</translation>
    </message>
    <message>
        <source>the session from %1 (%2, last used %3)</source>
        <translation>la session depuis %1 (%2, dernière utilisation %3)</translation>
    </message>
    <message>
        <source>an unknown address</source>
        <translation>une adresse inconnue</translation>
    </message>
    <message>
        <source>unknown browser</source>
        <translation>navigateur inconnu</translation>
    </message>
    <message>
        <source>End session</source>
        <translation>Terminer la session</translation>
    </message>
    <message>
        <source>End %1 of %2? That browser must sign in again.</source>
        <translation>Terminer %1 de %2 ? Ce navigateur devra se reconnecter.</translation>
    </message>
    <message>
        <source>Ended a session of %1.</source>
        <translation>Une session de %1 terminée.</translation>
    </message>
    <message>
        <source>End sessions</source>
        <translation>Terminer les sessions</translation>
    </message>
    <message>
        <source>End every session of %1? They must sign in again.</source>
        <translation>Terminer toutes les sessions de %1 ? Il faudra se reconnecter.</translation>
    </message>
    <message>
        <source>End all sessions</source>
        <translation>Terminer toutes les sessions</translation>
    </message>
    <message>
        <source>Every session of %1 ended.</source>
        <translation>Toutes les sessions de %1 sont terminées.</translation>
    </message>
    <message>
        <source>Send a reset link</source>
        <translation>Envoyer un lien de réinitialisation</translation>
    </message>
    <message>
        <source>Send %1 a password reset link and code at %2? An earlier reset link stops working.</source>
        <translation>Envoyer à %1 un lien et un code de réinitialisation du mot de passe à %2 ? Un lien de réinitialisation précédent cesse de fonctionner.</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <source>Reset link sent to %1 (%2).</source>
        <translation>Lien de réinitialisation envoyé à %1 (%2).</translation>
    </message>
    <message>
        <source>Enable the account</source>
        <translation>Activer le compte</translation>
    </message>
    <message>
        <source>Enable %1? They can sign in again.</source>
        <translation>Activer %1 ? La connexion redevient possible.</translation>
    </message>
    <message>
        <source>Enable</source>
        <translation>Activer</translation>
    </message>
    <message>
        <source>Enabled %1.</source>
        <translation>%1 activé.</translation>
    </message>
    <message>
        <source>Disable the account</source>
        <translation>Désactiver le compte</translation>
    </message>
    <message>
        <source>Disable %1? They cannot sign in, and their sessions end at once.</source>
        <translation>Désactiver %1 ? La connexion devient impossible et les sessions se terminent aussitôt.</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>Désactiver</translation>
    </message>
    <message>
        <source>Disabled %1, their sessions ended.</source>
        <translation>%1 désactivé, ses sessions terminées.</translation>
    </message>
    <message>
        <source>Delete %1</source>
        <translation>Supprimer %1</translation>
    </message>
    <message>
        <source>Reason (kept in the audit log; %1 gets a goodbye email):</source>
        <translation>Motif (conservé dans le journal d&apos;audit ; %1 reçoit un e-mail d&apos;adieu) :</translation>
    </message>
    <message>
        <source>Asked to be deleted.</source>
        <translation>A demandé à être supprimé.</translation>
    </message>
    <message>
        <source>Abuse of the service.</source>
        <translation>Abus du service.</translation>
    </message>
    <message>
        <source>Left the organisation.</source>
        <translation>A quitté l&apos;organisation.</translation>
    </message>
    <message>
        <source>Deletion of %1 undone.</source>
        <translation>Suppression de %1 annulée.</translation>
    </message>
    <message>
        <source>Deleted %1.</source>
        <translation>%1 supprimé.</translation>
    </message>
</context>
<context>
    <name>sd::ui::UserTableModel</name>
    <message>
        <source>Super-user</source>
        <translation>Super-utilisateur</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Utilisateur</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Nom d’utilisateur</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>Nom affiché</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rôle</translation>
    </message>
    <message>
        <source>Signed up</source>
        <translation>Inscrit le</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sessions</translation>
    </message>
    <message>
        <source>never</source>
        <translation>jamais</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>Groupes</translation>
    </message>
    <message>
        <source>Last login</source>
        <translation>Dernière connexion</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Activé</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Désactivé</translation>
    </message>
    <message>
        <source>Second factor</source>
        <translation>Second facteur</translation>
    </message>
</context>
<context>
    <name>sd::ui::UsersPage</name>
    <message>
        <source>Select an account to see its linked sign-ins.</source>
        <translation>Sélectionnez un compte pour voir ses connexions associées.</translation>
    </message>
    <message>
        <source>U&amp;nlink</source>
        <translation>D&amp;issocier</translation>
    </message>
    <message>
        <source>Unlink this sign-in from the account (Del); the next sign-in with it makes a new account unless the emails match.</source>
        <translation>Dissocier cette connexion du compte (Suppr)&#xa0;; la prochaine connexion par ce biais créera un nouveau compte, sauf si les adresses e-mail correspondent.</translation>
    </message>
    <message>
        <source>All accounts</source>
        <translation>Tous les comptes</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Actifs</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Désactivés</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>&amp;Disable</source>
        <translation>&amp;Désactiver</translation>
    </message>
    <message>
        <source>&amp;Enable</source>
        <translation>&amp;Activer</translation>
    </message>
    <message>
        <source>Revoke &amp;sessions</source>
        <translation>Révoquer les &amp;sessions</translation>
    </message>
    <message>
        <source>%1 signs in with a password or an email link only; no GitHub or Google account is linked.</source>
        <translation>%1 se connecte uniquement par mot de passe ou lien par e-mail&#xa0;; aucun compte GitHub ou Google n’est associé.</translation>
    </message>
    <message>
        <source>Sign-ins linked to %1:</source>
        <translation>Connexions associées à %1&#xa0;:</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>This sign-in is no longer linked to the account.</source>
        <translation>Cette connexion n’est plus associée au compte.</translation>
    </message>
    <message>
        <source>Unlinked %1.</source>
        <translation>Connexion %1 dissociée.</translation>
    </message>
    <message>
        <source>This account no longer exists.</source>
        <translation>Ce compte n’existe plus.</translation>
    </message>
    <message>
        <source>This account changed in the meantime (%1); reload and try again.</source>
        <translation>Ce compte a changé entre-temps (%1)&#xa0;; actualisez et réessayez.</translation>
    </message>
    <message>
        <source>Super-users cannot be disabled from the console; use the command line.</source>
        <translation>Les super-utilisateurs ne peuvent pas être désactivés depuis la console&#xa0;; utilisez la ligne de commande.</translation>
    </message>
    <message>
        <source>Unlink sign-in</source>
        <translation>Dissocier la connexion</translation>
    </message>
    <message>
        <source>Unlink %1 from %2? The next sign-in with it makes a new account unless the emails match.</source>
        <translation>Dissocier %1 de %2 ? La prochaine connexion avec elle crée un nouveau compte, sauf si les e-mails correspondent.</translation>
    </message>
    <message>
        <source>Unlink</source>
        <translation>Dissocier</translation>
    </message>
    <message>
        <source>Disable accounts</source>
        <translation>Désactiver des comptes</translation>
    </message>
    <message>
        <source>Disable %1? They cannot sign in, and their sessions end at once.</source>
        <translation>Désactiver %1 ? Plus de connexion possible, et leurs sessions se ferment aussitôt.</translation>
    </message>
    <message numerus="yes">
        <source>Disabled %n account(s), their sessions ended: %1.</source>
        <translation>
            <numerusform>%n compte désactivé, ses sessions fermées : %1.</numerusform>
            <numerusform>%n comptes désactivés, leurs sessions fermées : %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>Enable accounts</source>
        <translation>Réactiver des comptes</translation>
    </message>
    <message>
        <source>Enable %1? They can sign in again.</source>
        <translation>Réactiver %1 ? La connexion redevient possible.</translation>
    </message>
    <message numerus="yes">
        <source>Enabled %n account(s): %1.</source>
        <translation>
            <numerusform>%n compte réactivé : %1.</numerusform>
            <numerusform>%n comptes réactivés : %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>End sessions</source>
        <translation>Fermer les sessions</translation>
    </message>
    <message>
        <source>End every session of %1? They must sign in again.</source>
        <translation>Fermer toutes les sessions de %1 ? Une nouvelle connexion sera nécessaire.</translation>
    </message>
    <message numerus="yes">
        <source>Sessions ended for %n account(s): %1.</source>
        <translation>
            <numerusform>Sessions fermées pour %n compte : %1.</numerusform>
            <numerusform>Sessions fermées pour %n comptes : %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>Reset second &amp;factor</source>
        <translation>Réinitialiser le second &amp;facteur</translation>
    </message>
    <message>
        <source>Reset second factor</source>
        <translation>Réinitialiser le second facteur</translation>
    </message>
    <message>
        <source>Turn off the second factor of %1? They sign in with their password alone until they turn it on again, and get a notice by email.</source>
        <translation>Désactiver le second facteur de %1 ? La connexion ne demandera plus que le mot de passe jusqu’à ce qu’il soit réactivé, et un avis est envoyé par e-mail.</translation>
    </message>
    <message numerus="yes">
        <source>Second factor turned off for %n account(s): %1.</source>
        <translation>
            <numerusform>Second facteur désactivé pour %n compte : %1.</numerusform>
            <numerusform>Second facteur désactivé pour %n comptes : %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sd::ui::WebhookTableModel</name>
    <message>
        <source>Delivered</source>
        <translation>Remis</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Envoi en cours</translation>
    </message>
    <message>
        <source>Failed for good</source>
        <translation>Échec définitif</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>En attente</translation>
    </message>
    <message numerus="yes">
        <source>Retry in %n s</source>
        <comment>a failed delivery is tried again in that many seconds</comment>
        <translation>
            <numerusform>Nouvel essai dans %n s</numerusform>
            <numerusform>Nouvel essai dans %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>HTTP %1</source>
        <translation>HTTP %1</translation>
    </message>
    <message>
        <source>Queued</source>
        <comment>column header: when the webhook event was queued</comment>
        <translation>Mis en file</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Événement</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Tentatives</translation>
    </message>
    <message>
        <source>Last answer</source>
        <translation>Dernière réponse</translation>
    </message>
</context>
<context>
    <name>sd::ui::WebhooksPage</name>
    <message>
        <source>All deliveries</source>
        <translation>Tous les envois</translation>
    </message>
    <message>
        <source>Waiting (queued, sending)</source>
        <translation>En attente (en file, en cours d’envoi)</translation>
    </message>
    <message>
        <source>Failed for good</source>
        <translation>Échec définitif</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Remis</translation>
    </message>
    <message>
        <source>&amp;Retry now</source>
        <translation>&amp;Réessayer maintenant</translation>
    </message>
    <message>
        <source>Send a &amp;test event</source>
        <translation>Envoyer un évé&amp;nement de test</translation>
    </message>
    <message>
        <source>Queues a webhook.test event to every URL of webhooks/urls.</source>
        <translation>Met en file un événement webhook.test pour chaque URL de webhooks/urls.</translation>
    </message>
    <message>
        <source>Webhooks: off</source>
        <translation>Webhooks : désactivés</translation>
    </message>
    <message>
        <source>Webhooks: idle</source>
        <translation>Webhooks : inactifs</translation>
    </message>
    <message>
        <source>Webhooks: last delivered %1</source>
        <translation>Webhooks : dernier envoi remis à %1</translation>
    </message>
    <message>
        <source>Webhooks: %1 failed for good: %2</source>
        <translation>Webhooks : échec définitif vers %1 : %2</translation>
    </message>
    <message>
        <source>Webhooks: %1 failing, will retry: %2</source>
        <translation>Webhooks : %1 en échec, nouvel essai prévu : %2</translation>
    </message>
    <message>
        <source>This delivery changed in the meantime; it may be sending now.</source>
        <translation>Cet envoi a changé entre-temps ; il est peut-être en cours.</translation>
    </message>
    <message numerus="yes">
        <source>%n webhook delivery(s) queued to be sent now.</source>
        <translation>
            <numerusform>%n envoi de webhook mis en file pour maintenant.</numerusform>
            <numerusform>%n envois de webhook mis en file pour maintenant.</numerusform>
        </translation>
    </message>
    <message>
        <source>No webhook URL is set (webhooks/urls).</source>
        <translation>Aucune URL de webhook n’est définie (webhooks/urls).</translation>
    </message>
    <message>
        <source>A test event is queued for every webhook URL.</source>
        <translation>Un événement de test est en file pour chaque URL de webhook.</translation>
    </message>
</context>
</TS>
