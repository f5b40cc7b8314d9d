"""Filtre de la liste des suspicions de doublon (statut, source, score minimum)."""

import django_filters
from django import forms

from demandes.doublons.models import SuspicionDoublon


class SuspicionFilter(django_filters.FilterSet):
    statut = django_filters.ChoiceFilter(
        label="Statut", choices=SuspicionDoublon.Statut.choices, empty_label="Tous les statuts"
    )
    source = django_filters.ChoiceFilter(
        label="Source", choices=SuspicionDoublon.Source.choices, empty_label="Toutes les sources"
    )
    score_min = django_filters.NumberFilter(
        label="Score minimum",
        field_name="score",
        lookup_expr="gte",
        help_text="De 0 à 100.",
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "inputmode": "numeric"}),
    )

    class Meta:
        model = SuspicionDoublon
        fields = ["statut", "source", "score_min"]

    def __init__(self, data=None, *args, **kwargs):
        # Sans critère, la liste montre ce qui reste à traiter.
        data = data.copy() if data is not None else None
        if data is not None and "statut" not in data:
            data["statut"] = SuspicionDoublon.Statut.A_TRAITER
        super().__init__(data, *args, **kwargs)
