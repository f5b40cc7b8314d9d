"""Choix d'une fiche territoriale : une commune (ou un EPCI) et la photo."""

from observatoire.croisement.forms import ChoixTerritoire


class ChoixFiche(ChoixTerritoire):
    def clean(self):
        donnees = super().clean()
        if not donnees.get("commune") and not donnees.get("epci"):
            self.add_error("commune", "Choisissez la commune (ou l'EPCI) de la fiche territoriale.")
        return donnees
