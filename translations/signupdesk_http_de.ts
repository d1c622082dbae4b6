<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ApiErrors</name>
    <message>
        <source>The body is not a valid JSON object.</source>
        <translation>Der Inhalt ist kein gültiges JSON-Objekt.</translation>
    </message>
    <message>
        <source>A required field is missing or has the wrong type.</source>
        <translation>Ein Pflichtfeld fehlt oder hat den falschen Typ.</translation>
    </message>
    <message>
        <source>The body is too large.</source>
        <translation>Der Inhalt ist zu groß.</translation>
    </message>
    <message>
        <source>Send the body as application/json.</source>
        <translation>Senden Sie den Inhalt als application/json.</translation>
    </message>
    <message>
        <source>Some fields are not valid.</source>
        <translation>Einige Felder sind ungültig.</translation>
    </message>
    <message>
        <source>Signing up is closed.</source>
        <translation>Die Registrierung ist geschlossen.</translation>
    </message>
    <message>
        <source>Too many requests. Try again later.</source>
        <translation>Zu viele Anfragen. Versuchen Sie es später erneut.</translation>
    </message>
    <message>
        <source>This token is not valid.</source>
        <translation>Dieses Token ist ungültig.</translation>
    </message>
    <message>
        <source>This verification link or code is not valid.</source>
        <translation>Dieser Bestätigungslink oder -code ist ungültig.</translation>
    </message>
    <message>
        <source>This verification link is not valid.</source>
        <translation>Dieser Bestätigungslink ist ungültig.</translation>
    </message>
    <message>
        <source>The username or password is wrong.</source>
        <translation>Benutzername oder Passwort ist falsch.</translation>
    </message>
    <message>
        <source>Confirm your email address first.</source>
        <translation>Bestätigen Sie zuerst Ihre E-Mail-Adresse.</translation>
    </message>
    <message>
        <source>Your account is waiting for approval.</source>
        <translation>Ihr Konto wartet auf Freigabe.</translation>
    </message>
    <message>
        <source>This account is disabled.</source>
        <translation>Dieses Konto ist deaktiviert.</translation>
    </message>
    <message>
        <source>Log in first.</source>
        <translation>Melden Sie sich zuerst an.</translation>
    </message>
    <message>
        <source>You may not do this.</source>
        <translation>Das dürfen Sie nicht.</translation>
    </message>
    <message>
        <source>Not found.</source>
        <translation>Nicht gefunden.</translation>
    </message>
    <message>
        <source>This method is not allowed here.</source>
        <translation>Diese Methode ist hier nicht erlaubt.</translation>
    </message>
    <message>
        <source>An account or an invitation already has this address.</source>
        <translation>Ein Konto oder eine Einladung hat diese Adresse bereits.</translation>
    </message>
    <message>
        <source>This is not possible in the current state.</source>
        <translation>Das ist im aktuellen Zustand nicht möglich.</translation>
    </message>
    <message>
        <source>The server is busy. Try again shortly.</source>
        <translation>Der Server ist ausgelastet. Versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <source>The service is unavailable. Try again shortly.</source>
        <translation>Der Dienst ist nicht verfügbar. Versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <source>Something went wrong on our side.</source>
        <translation>Bei uns ist ein Fehler aufgetreten.</translation>
    </message>
    <message>
        <source>The request is malformed.</source>
        <translation>Die Anfrage ist fehlerhaft.</translation>
    </message>
    <message>
        <source>The request URI is too long.</source>
        <translation>Die URI der Anfrage ist zu lang.</translation>
    </message>
    <message>
        <source>The request headers are too large.</source>
        <translation>Die Kopfzeilen der Anfrage sind zu groß.</translation>
    </message>
    <message>
        <source>This sign-in confirmation is not valid. Sign in again.</source>
        <translation>Diese Anmeldebestätigung ist ungültig. Melden Sie sich erneut an.</translation>
    </message>
    <message>
        <source>This sign-in provider is not supported.</source>
        <translation>Dieser Anmeldeanbieter wird nicht unterstützt.</translation>
    </message>
    <message>
        <source>Sign-in with this provider is not set up.</source>
        <translation>Die Anmeldung mit diesem Anbieter ist nicht eingerichtet.</translation>
    </message>
    <message>
        <source>The sign-in provider answered with an error.</source>
        <translation>Der Anmeldeanbieter hat mit einem Fehler geantwortet.</translation>
    </message>
    <message>
        <source>The sign-in provider did not answer in time.</source>
        <translation>Der Anmeldeanbieter hat nicht rechtzeitig geantwortet.</translation>
    </message>
    <message>
        <source>This code is not valid.</source>
        <translation>Dieser Code ist nicht gültig.</translation>
    </message>
    <message>
        <source>A second factor is already on.</source>
        <translation>Ein zweiter Faktor ist bereits eingeschaltet.</translation>
    </message>
</context>
<context>
    <name>ApiFields</name>
    <message>
        <source>This field is required.</source>
        <translation>Dieses Feld ist erforderlich.</translation>
    </message>
    <message>
        <source>This value has an invalid format.</source>
        <translation>Dieser Wert hat ein ungültiges Format.</translation>
    </message>
    <message>
        <source>This username is reserved.</source>
        <translation>Dieser Benutzername ist reserviert.</translation>
    </message>
    <message>
        <source>This value is already taken.</source>
        <translation>Dieser Wert ist bereits vergeben.</translation>
    </message>
    <message>
        <source>This value is too short.</source>
        <translation>Dieser Wert ist zu kurz.</translation>
    </message>
    <message>
        <source>This value is too long.</source>
        <translation>Dieser Wert ist zu lang.</translation>
    </message>
    <message>
        <source>This password is too common.</source>
        <translation>Dieses Passwort ist zu verbreitet.</translation>
    </message>
    <message>
        <source>The password must not contain the username or email.</source>
        <translation>Das Passwort darf weder den Benutzernamen noch die E-Mail-Adresse enthalten.</translation>
    </message>
    <message>
        <source>This value contains invalid characters.</source>
        <translation>Dieser Wert enthält ungültige Zeichen.</translation>
    </message>
    <message>
        <source>Unknown app.</source>
        <translation>Unbekannte Anwendung.</translation>
    </message>
    <message>
        <source>The app list must contain the current app.</source>
        <translation>Die Anwendungsliste muss die aktuelle Anwendung enthalten.</translation>
    </message>
    <message>
        <source>This value is not supported.</source>
        <translation>Dieser Wert wird nicht unterstützt.</translation>
    </message>
</context>
</TS>
