"""Formulaires du compte du demandeur : inscription, connexion (adresse vérifiée), nouveau lien de vérification."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation

from fdls.comptes.forms import ConnexionDemandeurForm
from fdls.comptes.models import Utilisateur

MESSAGE_NON_VERIFIEE = (
    "Votre adresse électronique n'est pas encore confirmée : ouvrez le lien du courriel reçu à l'inscription, "
    "ou demandez un nouveau lien."
)


class ConnexionPortailForm(ConnexionDemandeurForm):
    """Connexion du portail : seul un demandeur à l'adresse vérifiée entre. Le message « non confirmée » ne
    paraît qu'après un mot de passe juste : il ne révèle pas qu'un compte existe."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.email_verifie_le is None:
            raise forms.ValidationError(MESSAGE_NON_VERIFIEE, code="non_verifiee")


class InscriptionForm(forms.Form):
    prenom = forms.CharField(
        label="Prénom",
        max_length=150,
        error_messages={"required": "Indiquez votre prénom."},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    nom = forms.CharField(
        label="Nom",
        max_length=150,
        error_messages={"required": "Indiquez votre nom."},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label="Adresse électronique",
        help_text="Vous y recevrez un lien pour confirmer votre adresse, puis les nouvelles de votre demande.",
        error_messages={
            "required": "Indiquez votre adresse électronique.",
            "invalid": "Saisissez une adresse électronique valide, par exemple nom@exemple.fr.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    mot_de_passe = forms.CharField(
        label="Mot de passe",
        strip=False,
        help_text="12 caractères au moins ; évitez un mot courant ou proche de votre nom.",
        error_messages={"required": "Choisissez un mot de passe."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    confirmation = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        error_messages={"required": "Saisissez une seconde fois le mot de passe."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        donnees = super().clean()
        mot_de_passe, confirmation = donnees.get("mot_de_passe"), donnees.get("confirmation")
        if mot_de_passe and confirmation and mot_de_passe != confirmation:
            self.add_error("confirmation", "Les deux mots de passe sont différents.")
        elif mot_de_passe:
            candidat = Utilisateur(
                email=donnees.get("email") or "",
                first_name=donnees.get("prenom") or "",
                last_name=donnees.get("nom") or "",
            )
            try:
                password_validation.validate_password(mot_de_passe, user=candidat)
            except forms.ValidationError as erreur:
                self.add_error("mot_de_passe", erreur)
        return donnees


class NouveauLienForm(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique",
        error_messages={
            "required": "Indiquez l'adresse électronique de votre compte.",
            "invalid": "Saisissez une adresse électronique valide, par exemple nom@exemple.fr.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
