"""Choix de la période et de l'indicateur des compteurs d'activité."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from fdls.socle.formulaires import DateChamp
from observatoire.compteurs.models import STOCKS, Indicateur

PERIODE_MAX_JOURS = 366

#: La liste des indicateurs en deux groupes, comme l'écran du seed : stocks, puis flux.
CHOIX_INDICATEURS = [
    ("Stocks (fin de journée)", [(code, Indicateur(code).label) for code in STOCKS]),
    ("Flux du jour", [(code, libelle) for code, libelle in Indicateur.choices if code not in STOCKS]),
]


class ChoixPeriode(forms.Form):
    du = DateChamp(label="Du", required=False)
    au = DateChamp(label="Au", required=False)
    indicateur = forms.ChoiceField(label="Indicateur suivi jour par jour", choices=CHOIX_INDICATEURS, required=False)

    def clean(self):
        donnees = super().clean()
        hier = timezone.localdate() - timedelta(days=1)
        au = donnees.get("au") or hier
        du = donnees.get("du") or au - timedelta(days=29)
        if "du" in self.errors or "au" in self.errors:
            return donnees
        if du > au:
            self.add_error("du", "La date de début doit précéder la date de fin.")
        elif (au - du).days >= PERIODE_MAX_JOURS:
            self.add_error("au", f"Choisissez une période d'au plus {PERIODE_MAX_JOURS} jours.")
        donnees.update(du=du, au=au, indicateur=donnees.get("indicateur") or Indicateur.ACTIVES)
        return donnees
