"""Cotation de démonstration (``manage.py demo``, après les demandes) : grille, historique d'instruction, calcul.

1. la grille de Nantes Métropole (annexe 1 du PPGD) est installée en vigueur ;
2. des refus d'être positionné après un contact sont écrits dans l'historique
   d'une part connue des demandes actives (SQL ensembliste, déterministe : un
   hachage de l'identifiant choisit les demandes), et des priorités locales et
   de l'État que la grille cote (handicap, sans logement, mutation
   prioritaire…) ; les passages et décisions de CAL viennent des services des
   commissions (``demo.commissions``) ;
3. tout le fichier est coté (``services.recalculer_fichier``).

Idempotent : les événements et labels de démonstration ne sont écrits qu'une
fois (repérés par leur intervenant), le calcul réécrit les mêmes résultats.
"""

from __future__ import annotations

from cotation.calcul import services
from cotation.grilles import services as grilles
from cotation.models import AttenteEstimee
from cotation.transparence.attentes import calculer_attentes
from demo.cotation_sql import historique_demo


def construire(options, stdout) -> None:
    grille = grilles.installer_grille_nantes()
    if grille is None:
        stdout.write("Cotation : EPCI de Nantes Métropole absent du référentiel, aucune grille installée.")
        return
    ecrits = historique_demo()
    # Démonstration complétée (rien de neuf dans l'historique) : seules les demandes jamais cotées le sont.
    bilan = services.recalculer_fichier() if ecrits else services.coter_jamais_cotees()
    if not AttenteEstimee.objects.exists():
        calculer_attentes()
    stdout.write(
        f"Cotation : grille « {grille.libelle} » v{grille.version} ({grille.get_etat_display().lower()}), "
        f"{ecrits} événements et labels d'instruction de démonstration, {bilan.demandes} demandes cotées "
        f"en {bilan.duree_s:.0f} s."
    )
