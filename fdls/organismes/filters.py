"""Filtres des listes de partenaires (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q

from fdls.organismes.models import Guichet, Organisme
from fdls.territoires.models import Departement

CHOIX_ACTIF = [("oui", "Actifs"), ("non", "Inactifs")]


class OrganismeFilter(django_filters.FilterSet):
    nom = django_filters.CharFilter(
        label="Nom ou sigle",
        method="filtrer_nom",
        help_text="Une partie du nom ou du sigle.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    type = django_filters.ChoiceFilter(label="Type", choices=Organisme.Type.choices, empty_label="Tous les types")
    departement = django_filters.ModelChoiceFilter(
        label="Département de rattachement",
        queryset=Departement.objects.order_by("code"),
        empty_label="Tous les départements",
    )
    actif = django_filters.ChoiceFilter(label="État", choices=CHOIX_ACTIF, empty_label="Tous", method="filtrer_actif")

    class Meta:
        model = Organisme
        fields = ["nom", "type", "departement", "actif"]

    def filtrer_nom(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(nom__icontains=value) | Q(sigle__icontains=value)) if value else queryset

    def filtrer_actif(self, queryset, name, value):
        return queryset.filter(actif=value == "oui") if value else queryset


class GuichetFilter(django_filters.FilterSet):
    commune = django_filters.CharFilter(
        label="Commune",
        method="filtrer_commune",
        help_text="Nom, code INSEE ou code postal.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    type = django_filters.ChoiceFilter(label="Type de guichet", choices=Guichet.Type.choices, empty_label="Tous")
    organisme = django_filters.ModelChoiceFilter(
        label="Organisme", queryset=Organisme.objects.order_by("nom"), empty_label="Tous les organismes"
    )
    actif = django_filters.ChoiceFilter(label="État", choices=CHOIX_ACTIF, empty_label="Tous", method="filtrer_actif")

    class Meta:
        model = Guichet
        fields = ["commune", "type", "organisme", "actif"]

    def filtrer_commune(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if value.isdigit() and len(value) == 5:
            return queryset.filter(Q(commune__code_insee=value) | Q(code_postal=value))
        return queryset.filter(Q(commune__nom__icontains=value) | Q(commune__code_insee__iexact=value))

    def filtrer_actif(self, queryset, name, value):
        return queryset.filter(actif=value == "oui") if value else queryset
