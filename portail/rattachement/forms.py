from django import forms

from fdls.socle.formulaires import DateChamp

from .models import CodeRattachement


class DemandeCodeForm(forms.Form):
    numero_unique = forms.CharField(
        label="Numéro unique de la demande",
        max_length=40,
        help_text="18 chiffres, inscrits sur votre attestation d'enregistrement (les espaces sont acceptés).",
        error_messages={"required": "Indiquez le numéro unique de votre demande."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    date_naissance = DateChamp(
        label="Date de naissance du demandeur",
        help_text="jj/mm/aaaa, celle du demandeur principal indiquée dans la demande.",
        error_messages={"required": "Indiquez la date de naissance du demandeur."},
    )
    canal = forms.ChoiceField(
        label="Recevoir le code",
        choices=CodeRattachement.Canal.choices,
        initial=CodeRattachement.Canal.COURRIEL,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez comment recevoir le code."},
    )

    def clean_numero_unique(self):
        numero = "".join(c for c in self.cleaned_data["numero_unique"] if c.isdigit())
        if len(numero) < 10:
            raise forms.ValidationError("Le numéro unique compte 18 chiffres : recopiez-le depuis votre attestation.")
        return numero


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code reçu (6 chiffres)",
        min_length=6,
        max_length=6,
        error_messages={
            "required": "Saisissez le code à 6 chiffres reçu.",
            "min_length": "Le code compte exactement 6 chiffres.",
            "max_length": "Le code compte exactement 6 chiffres.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
