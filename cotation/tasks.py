"""Tâches Celery de la cotation (minces : elles appellent les services des fonctionnalités).

Les noms (``cotation.tasks.*``) sont ceux de l'outbox et du beat : ils ne
changent pas quand le code se range autrement.
"""

from celery import shared_task

from . import traitements
from .calcul import services as calcul
from .impact import services as impact
from .transparence import attentes


@shared_task(name="cotation.tasks.recalculer_fichier", acks_late=True)
def recalculer_fichier(epci: str | None = None) -> dict:
    bilan = calcul.recalculer_fichier()
    return {"demandes": bilan.demandes, "changees": bilan.changees, "duree_s": round(bilan.duree_s, 1)}


@shared_task(name="cotation.tasks.calcul_de_nuit", acks_late=True)
def calcul_de_nuit() -> dict:
    bilan = traitements.calcul_de_nuit()
    return {"demandes": bilan.demandes, "changees": bilan.changees, "duree_s": round(bilan.duree_s, 1)}


@shared_task(name="cotation.tasks.etude_impact", acks_late=True)
def etude_impact(etude_id: int) -> dict:
    """Étude d'impact d'un projet de grille (lecture seule) ; idempotente : une étude terminée n'est pas refaite."""
    etude = impact.executer(etude_id)
    if etude is None:
        return {"etude": etude_id, "statut": "absente"}
    return {"etude": etude_id, "statut": etude.statut, "demandes": etude.resultats.get("demandes")}


@shared_task(name="cotation.tasks.calculer_attentes", acks_late=True)
def calculer_attentes() -> int:
    """Attente estimée des demandes analogues (Kaplan–Meier), chaque nuit après la cotation."""
    return attentes.calculer_attentes()
