"""Formulaire de lancement d'une étude d'impact."""

from __future__ import annotations

from django import forms

from cotation.calcul.models import Grille


class LancementForm(forms.Form):
    reference = forms.ModelChoiceField(
        queryset=Grille.objects.none(),
        empty_label=None,
        label="Comparer avec",
        help_text="Par défaut, la grille en vigueur sur le territoire.",
    )

    def __init__(self, *args, comparables, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].queryset = comparables
        self.fields["reference"].label_from_instance = lambda g: (
            f"{g.libelle} – version {g.version} ({g.get_etat_display().lower()})"
        )
