"""Recherche dans le parc (django-filter), toujours appliquée aux seuls logements visibles.

Les mêmes filtres servent la liste à l'écran et l'API (``/api/v1/logements/``).
"""

import django_filters
from django import forms
from django.db.models import Q

from fdls.organismes.forms import CommuneField
from fdls.organismes.models import Organisme
from fdls.socle.formulaires import MESSAGE_DATE, DateChamp, DateSaisie
from fdls.territoires.models import Quartier
from offre import selectors
from offre.models import (
    ETATS_OUVERTS,
    Categorie,
    Disponibilite,
    EtatDisponibilite,
    Financement,
    Logement,
    Programme,
    Typologie,
)

AUCUN = "aucun"
VACANCE = [
    ("ouverte", "Vacant (à pourvoir ou en cours)"),
    (EtatDisponibilite.A_POURVOIR, "À pourvoir"),
    (EtatDisponibilite.EN_COURS, "En cours d'attribution"),
    ("sans", "Sans vacance en cours"),
]
QPV = [("oui", "En QPV"), ("non", "Hors QPV")]


class CommuneFilter(django_filters.Filter):
    field_class = CommuneField

    def filter(self, qs, value):
        return qs.filter(**{self.field_name: value}) if value else qs


def _choix_reservataires():
    return [(AUCUN, "Non réservé (bailleur)")] + [(str(o.pk), o.nom) for o in selectors.reservataires()]


def _choix_bailleurs():
    bailleurs = Organisme.objects.filter(type=Organisme.Type.BAILLEUR).order_by("nom")
    return [(str(pk), nom) for pk, nom in bailleurs.values_list("pk", "nom")]


class LogementFilter(django_filters.FilterSet):
    programme = django_filters.CharFilter(
        label="Programme",
        method="filtrer_programme",
        help_text="Code exact ou début du nom (ex. 0629 ou Kallima).",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    commune = CommuneFilter(
        field_name="commune",
        label="Commune",
        help_text="Nom ou code INSEE (ex. Rezé ou 44143).",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    quartier = django_filters.ModelChoiceFilter(
        label="Quartier",
        queryset=Quartier.objects.select_related("commune").order_by("commune__nom", "nom"),
        empty_label="Tous les quartiers",
    )
    qpv = django_filters.ChoiceFilter(label="QPV", choices=QPV, method="filtrer_qpv", empty_label="En QPV ou non")
    typologie = django_filters.ChoiceFilter(
        label="Typologie", choices=Typologie.choices, empty_label="Toutes les typologies"
    )
    categorie = django_filters.ChoiceFilter(
        label="Catégorie", choices=Categorie.choices, empty_label="Appartements et maisons"
    )
    financement = django_filters.ChoiceFilter(
        label="Financement", choices=Financement.choices, empty_label="Tous les financements"
    )
    reservataire = django_filters.ChoiceFilter(
        label="Réservataire",
        choices=_choix_reservataires,
        method="filtrer_reservataire",
        empty_label="Tous les réservataires",
    )
    bailleur = django_filters.ChoiceFilter(
        label="Bailleur", choices=_choix_bailleurs, field_name="bailleur", empty_label="Tous les bailleurs"
    )
    vacance = django_filters.ChoiceFilter(
        label="Vacance", choices=VACANCE, method="filtrer_vacance", empty_label="Vacant ou non"
    )

    class Meta:
        model = Logement
        fields = [
            "programme",
            "commune",
            "quartier",
            "qpv",
            "typologie",
            "categorie",
            "financement",
            "reservataire",
            "bailleur",
            "vacance",
        ]

    def filtrer_programme(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        programmes = Programme.objects.filter(Q(code__iexact=value) | Q(nom__istartswith=value)).values("pk")
        return queryset.filter(programme__in=programmes)

    def filtrer_qpv(self, queryset, name, value):
        return queryset.filter(qpv=value == "oui") if value else queryset

    def filtrer_reservataire(self, queryset, name, value):
        if not value:
            return queryset
        if value == AUCUN:
            return queryset.filter(reservataire__isnull=True)
        return queryset.filter(reservataire=value)

    def filtrer_vacance(self, queryset, name, value):
        if not value:
            return queryset
        if value == "ouverte":
            return queryset.vacants(ETATS_OUVERTS)
        if value == "sans":
            return queryset.filter(vacance="")
        return queryset.vacants([value])


class DisponibiliteFilter(django_filters.FilterSet):
    etat = django_filters.ChoiceFilter(label="État", choices=EtatDisponibilite.choices, empty_label="Tous les états")
    commune = CommuneFilter(
        field_name="logement__commune",
        label="Commune",
        help_text="Nom ou code INSEE (ex. Rezé ou 44143).",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    typologie = django_filters.ChoiceFilter(
        field_name="logement__typologie",
        label="Typologie",
        choices=Typologie.choices,
        empty_label="Toutes les typologies",
    )
    reservataire = django_filters.ChoiceFilter(
        label="Réservataire dont c'est le tour",
        choices=_choix_reservataires,
        method="filtrer_reservataire",
        empty_label="Tous les réservataires",
    )
    bailleur = django_filters.ChoiceFilter(
        label="Bailleur", choices=_choix_bailleurs, field_name="logement__bailleur", empty_label="Tous les bailleurs"
    )
    disponible_avant = django_filters.DateFilter(
        label="Disponible au plus tard le",
        field_name="date_disponibilite",
        lookup_expr="lte",
        widget=DateSaisie,
        input_formats=DateChamp.input_formats,
        error_messages={"invalid": MESSAGE_DATE},
        help_text="jj/mm/aaaa",
    )

    class Meta:
        model = Disponibilite
        fields = ["etat", "commune", "typologie", "reservataire", "bailleur", "disponible_avant"]

    def filtrer_reservataire(self, queryset, name, value):
        if not value:
            return queryset
        if value == AUCUN:
            return queryset.filter(reservataire__isnull=True)
        return queryset.filter(reservataire=value)
