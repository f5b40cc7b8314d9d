"""Formulaire de création d'un jeton d'API."""

from django import forms
from django.conf import settings

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Jamais au-delà de la durée maximale réglée (FDLS_JETON_DUREE_MAX_JOURS).
        self.fields["expire_dans_jours"].choices = [
            (jours, libelle) for jours, libelle in DUREES_JOURS if jours <= settings.FDLS_JETON_DUREE_MAX_JOURS
        ] or [(settings.FDLS_JETON_DUREE_MAX_JOURS, f"{settings.FDLS_JETON_DUREE_MAX_JOURS} jours")]

    def clean_nom(self):
        nom = self.cleaned_data["nom"].strip()
        if not nom:
            raise forms.ValidationError("Indiquez le nom du système partenaire.")
        return nom
