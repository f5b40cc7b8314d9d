"""Formulaire de la fiche d'une demande : période de l'historique affiché."""

from django import forms

from demandes.dossier.formulaires import DateChamp


class PeriodeHistoriqueForm(forms.Form):
    du = DateChamp(label="Période du", required=False)
    au = DateChamp(label="au", required=False)

    def clean(self):
        donnees = super().clean()
        if donnees.get("du") and donnees.get("au") and donnees["au"] < donnees["du"]:
            self.add_error("au", "La fin de la période précède son début.")
        return donnees
