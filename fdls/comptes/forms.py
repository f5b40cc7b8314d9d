from django import forms
from django.contrib.auth.forms import AuthenticationForm


class ConnexionForm(AuthenticationForm):
    """Connexion par adresse électronique ; message identique quel que soit
    l'échec (pas d'énumération des comptes)."""

    kind_attendu = "agent"

    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Adresse électronique ou mot de passe incorrect.",
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.kind != self.kind_attendu:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class ConnexionDemandeurForm(ConnexionForm):
    kind_attendu = "demandeur"


class CodeTotpForm(forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres",
        min_length=6,
        max_length=6,
        help_text="Le code affiché par votre application d'authentification.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}", "autofocus": True}
        ),
        error_messages={
            "required": "Saisissez le code à 6 chiffres.",
            "min_length": "Le code compte exactement 6 chiffres.",
            "max_length": "Le code compte exactement 6 chiffres.",
        },
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("Le code ne contient que des chiffres.")
        return code
