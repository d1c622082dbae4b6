<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>ApiErrors</name>
    <message>
        <source>The body is not a valid JSON object.</source>
        <translation>Le corps de la requête n’est pas un objet JSON valide.</translation>
    </message>
    <message>
        <source>A required field is missing or has the wrong type.</source>
        <translation>Un champ obligatoire manque ou n’a pas le bon type.</translation>
    </message>
    <message>
        <source>The body is too large.</source>
        <translation>Le corps de la requête est trop volumineux.</translation>
    </message>
    <message>
        <source>Send the body as application/json.</source>
        <translation>Envoyez le corps au format application/json.</translation>
    </message>
    <message>
        <source>Some fields are not valid.</source>
        <translation>Certains champs ne sont pas valides.</translation>
    </message>
    <message>
        <source>Signing up is closed.</source>
        <translation>Les inscriptions sont fermées.</translation>
    </message>
    <message>
        <source>Too many requests. Try again later.</source>
        <translation>Trop de requêtes. Réessayez plus tard.</translation>
    </message>
    <message>
        <source>This token is not valid.</source>
        <translation>Ce jeton n’est pas valide.</translation>
    </message>
    <message>
        <source>This verification link or code is not valid.</source>
        <translation>Ce lien ou ce code de vérification n’est pas valide.</translation>
    </message>
    <message>
        <source>This verification link is not valid.</source>
        <translation>Ce lien de vérification n’est pas valide.</translation>
    </message>
    <message>
        <source>The username or password is wrong.</source>
        <translation>Le nom d’utilisateur ou le mot de passe est incorrect.</translation>
    </message>
    <message>
        <source>Confirm your email address first.</source>
        <translation>Confirmez d’abord votre adresse e-mail.</translation>
    </message>
    <message>
        <source>Your account is waiting for approval.</source>
        <translation>Votre compte attend une validation.</translation>
    </message>
    <message>
        <source>This account is disabled.</source>
        <translation>Ce compte est désactivé.</translation>
    </message>
    <message>
        <source>Log in first.</source>
        <translation>Connectez-vous d’abord.</translation>
    </message>
    <message>
        <source>You may not do this.</source>
        <translation>Vous n’avez pas le droit de faire cela.</translation>
    </message>
    <message>
        <source>Not found.</source>
        <translation>Introuvable.</translation>
    </message>
    <message>
        <source>This method is not allowed here.</source>
        <translation>Cette méthode n’est pas autorisée ici.</translation>
    </message>
    <message>
        <source>An account or an invitation already has this address.</source>
        <translation>Un compte ou une invitation a déjà cette adresse.</translation>
    </message>
    <message>
        <source>This is not possible in the current state.</source>
        <translation>Ce n’est pas possible dans l’état actuel.</translation>
    </message>
    <message>
        <source>The server is busy. Try again shortly.</source>
        <translation>Le serveur est occupé. Réessayez dans un instant.</translation>
    </message>
    <message>
        <source>The service is unavailable. Try again shortly.</source>
        <translation>Le service est indisponible. Réessayez dans un instant.</translation>
    </message>
    <message>
        <source>Something went wrong on our side.</source>
        <translation>Une erreur s’est produite de notre côté.</translation>
    </message>
    <message>
        <source>The request is malformed.</source>
        <translation>La requête est mal formée.</translation>
    </message>
    <message>
        <source>The request URI is too long.</source>
        <translation>L’URI de la requête est trop longue.</translation>
    </message>
    <message>
        <source>The request headers are too large.</source>
        <translation>Les en-têtes de la requête sont trop volumineux.</translation>
    </message>
    <message>
        <source>This sign-in confirmation is not valid. Sign in again.</source>
        <translation>Cette confirmation de connexion n’est pas valide. Connectez-vous à nouveau.</translation>
    </message>
    <message>
        <source>This sign-in provider is not supported.</source>
        <translation>Ce fournisseur de connexion n’est pas pris en charge.</translation>
    </message>
    <message>
        <source>Sign-in with this provider is not set up.</source>
        <translation>La connexion avec ce fournisseur n’est pas configurée.</translation>
    </message>
    <message>
        <source>The sign-in provider answered with an error.</source>
        <translation>Le fournisseur de connexion a répondu par une erreur.</translation>
    </message>
    <message>
        <source>The sign-in provider did not answer in time.</source>
        <translation>Le fournisseur de connexion n’a pas répondu à temps.</translation>
    </message>
    <message>
        <source>This code is not valid.</source>
        <translation>Ce code n’est pas valide.</translation>
    </message>
    <message>
        <source>A second factor is already on.</source>
        <translation>Un second facteur est déjà activé.</translation>
    </message>
</context>
<context>
    <name>ApiFields</name>
    <message>
        <source>This field is required.</source>
        <translation>Ce champ est obligatoire.</translation>
    </message>
    <message>
        <source>This value has an invalid format.</source>
        <translation>Le format de cette valeur n’est pas valide.</translation>
    </message>
    <message>
        <source>This username is reserved.</source>
        <translation>Ce nom d’utilisateur est réservé.</translation>
    </message>
    <message>
        <source>This value is already taken.</source>
        <translation>Cette valeur est déjà utilisée.</translation>
    </message>
    <message>
        <source>This value is too short.</source>
        <translation>Cette valeur est trop courte.</translation>
    </message>
    <message>
        <source>This value is too long.</source>
        <translation>Cette valeur est trop longue.</translation>
    </message>
    <message>
        <source>This password is too common.</source>
        <translation>Ce mot de passe est trop courant.</translation>
    </message>
    <message>
        <source>The password must not contain the username or email.</source>
        <translation>Le mot de passe ne doit contenir ni le nom d’utilisateur ni l’adresse e-mail.</translation>
    </message>
    <message>
        <source>This value contains invalid characters.</source>
        <translation>Cette valeur contient des caractères non valides.</translation>
    </message>
    <message>
        <source>Unknown app.</source>
        <translation>Application inconnue.</translation>
    </message>
    <message>
        <source>The app list must contain the current app.</source>
        <translation>La liste des applications doit contenir l’application actuelle.</translation>
    </message>
    <message>
        <source>This value is not supported.</source>
        <translation>Cette valeur n’est pas prise en charge.</translation>
    </message>
</context>
</TS>
