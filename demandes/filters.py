"""Recherche de demandes (django-filter), toujours appliquée aux seules demandes visibles."""

import re

import django_filters
from django import forms

from demandes.models import Demande
from fdls.organismes.models import Guichet


class RechercheDemandeForm(forms.Form):
    def clean_numero_unique(self):
        numero = re.sub(r"[\s.\-]", "", self.cleaned_data.get("numero_unique") or "")
        if numero and not re.fullmatch(r"\d{18}", numero):
            raise forms.ValidationError("Le numéro unique compte 18 chiffres (ex. 044051400008110865).")
        return numero


class DemandeFilter(django_filters.FilterSet):
    nom = django_filters.CharFilter(
        label="Nom du demandeur",
        method="filtrer_nom",
        help_text="Début du nom (ex. « mart » pour Martin).",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    numero_unique = django_filters.CharFilter(
        label="Numéro unique",
        method="filtrer_numero",
        help_text="Les 18 chiffres du numéro.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    etat = django_filters.ChoiceFilter(label="État", choices=Demande.Etat.choices, empty_label="Tous les états")
    guichet = django_filters.ModelChoiceFilter(
        label="Guichet d'enregistrement",
        queryset=Guichet.objects.order_by("nom"),
        empty_label="Tous les guichets",
    )

    class Meta:
        model = Demande
        fields = ["nom", "numero_unique", "etat", "guichet"]
        form = RechercheDemandeForm

    def filtrer_nom(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(nom__istartswith=value) if value else queryset

    def filtrer_numero(self, queryset, name, value):
        return queryset.filter(numero_unique=value) if value else queryset
