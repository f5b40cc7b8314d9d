"""Observatoire de démonstration : seuils du 1er quartile plausibles, photos des 13 derniers mois, compteurs
d'activité des 92 derniers jours, bilans dus et extrait de données ouvertes (tout idempotent).

Les seuils du 1er quartile ne sont pas ceux des arrêtés (non lus : domain.md §8) : des valeurs **plausibles
de démonstration**, proches du 1er quartile des ressources par UC des demandes générées, marquées comme telles
dans leur source ; l'administrateur du fichier saisit les vrais montants.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from demandes.models import SeuilPremierQuartile
from fdls.socle.dates import ajouter_mois
from fdls.territoires.models import Epci
from observatoire.bilans.services import produire_bilans_dus
from observatoire.compteurs.services import compter_activite
from observatoire.opendata.services import publier_extrait_du_mois
from observatoire.photos.services import photographier_fichier

NANTES_METROPOLE = "244400404"
SOURCE_DEMO = "Valeur plausible de démonstration (arrêté annuel non lu) : à remplacer par le montant publié"
SEUILS = {NANTES_METROPOLE: Decimal("10900")}
SEUIL_AUTRES = Decimal("10600")
HAUSSE_ANNUELLE = Decimal("1.02")
MOIS_PHOTOGRAPHIES = 13


def charger_seuils_demo(annees: range) -> int:
    crees = 0
    for epci in Epci.objects.filter(communes__departement_id="44").distinct():
        base = SEUILS.get(epci.siren, SEUIL_AUTRES)
        for i, annee in enumerate(annees):
            montant = (base * HAUSSE_ANNUELLE**i).quantize(Decimal("1"))
            _, cree = SeuilPremierQuartile.objects.get_or_create(
                epci=epci, annee=annee, defaults={"montant": montant, "source": SOURCE_DEMO}
            )
            crees += cree
    return crees


def construire(options, stdout) -> None:
    aujourd_hui = timezone.localdate()
    seuils = charger_seuils_demo(range(aujourd_hui.year - 2, aujourd_hui.year + 1))
    prises = 0
    for i in range(MOIS_PHOTOGRAPHIES - 1, -1, -1):
        mois = ajouter_mois(date(aujourd_hui.year, aujourd_hui.month, 1), -i)
        prises += photographier_fichier(mois).prise
    compteurs = compter_activite()
    bilans = produire_bilans_dus()
    publier_extrait_du_mois()
    stdout.write(
        f"Observatoire : {seuils} seuils du 1er quartile de démonstration, {prises} photos prises, "
        f"{compteurs.jours} jours d'activité comptés, {len(bilans)} bilans produits."
    )
