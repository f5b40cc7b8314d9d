"""Compteurs de l'offre montrés sur l'accueil des agents (enregistrés dans ``fdls.socle.compteurs``, ``offre/apps.py``).

``vacances_a_pourvoir`` est la seule définition de l'entrée « vacances sans
candidat » de la file de travail d'un bailleur : tant que l'instruction ne
positionne pas de candidats, ce sont les vacances à pourvoir de ses logements ;
l'affiner (exclure les vacances où un candidat est positionné) ne change que
cette fonction.
"""

from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse

from offre.models import Disponibilite, EtatDisponibilite, gere_offre


def vacances_a_pourvoir(user) -> QuerySet:
    """Les vacances du bailleur de l'agent encore sans candidat positionné (aujourd'hui : à pourvoir)."""
    return Disponibilite.objects.visibles_par(user).filter(
        logement__bailleur=user.organisme_id, etat=EtatDisponibilite.A_POURVOIR
    )


def file_de_travail(user) -> dict:
    """Entrée « vacances sans candidat » de la file de travail d'un instructeur bailleur."""
    if not gere_offre(user):
        return {}
    criteres = {"etat": EtatDisponibilite.A_POURVOIR, "bailleur": user.organisme_id}
    return {
        "vacances": {
            "ordre": 6,
            "libelle": "Logements vacants sans candidat",
            "aide": "vacances à pourvoir de vos logements, aucun candidat encore positionné",
            "nombre": vacances_a_pourvoir(user).count(),
            "url": f"{reverse('offre:disponibilites')}?{urlencode(criteres)}",
        }
    }
