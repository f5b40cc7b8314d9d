"""Formulaire de création d'un jeton d'API."""

from django import forms

from fdls.comptes.models import JetonApi

DUREES_JOURS = [(30, "30 jours"), (90, "90 jours"), (180, "6 mois"), (365, "1 an")]


class JetonForm(forms.Form):
    nom = forms.CharField(
        label="Système partenaire",
        max_length=100,
        help_text="Le logiciel qui utilisera ce jeton, par exemple « ERP bailleur » ou « script d'export ».",
    )
    portee = forms.ChoiceField(
        label="Portée",
        choices=JetonApi.Portee.choices,
        initial=JetonApi.Portee.LECTURE,
        widget=forms.RadioSelect,
        help_text=(
            "Un jeton n'a jamais plus de droits que vous : la portée « écriture » ne sert que si votre rôle "
            "permet d'écrire."
        ),
    )
    expire_dans_jours = forms.TypedChoiceField(
        label="Durée de validité",
        choices=DUREES_JOURS,
        coerce=int,
        initial=90,
    )

    def clean_nom(self):
        nom = self.cleaned_data["nom"].strip()
        if not nom:
            raise forms.ValidationError("Indiquez le nom du système partenaire.")
        return nom
