"""Formulaires des recherches enregistrées : le nom (les critères viennent de la liste)."""

from django import forms

from demandes.favoris.models import NOM_MAX


class FavoriForm(forms.Form):
    nom = forms.CharField(
        label="Nom de la recherche",
        max_length=NOM_MAX,
        help_text="Par exemple « Renouvellements de Rezé ». 80 caractères au plus.",
        error_messages={
            "required": "Donnez un nom à cette recherche.",
            "max_length": "Le nom compte %(limit_value)d caractères au plus (vous en avez saisi %(show_value)d).",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    criteres = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)
