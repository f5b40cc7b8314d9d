"""Tâches Celery des demandes (minces : elles appellent ``demandes/relances/traitements.py`` et les labels).

Politique commune (accusé tardif, nouvelles tentatives) : ``fdls.celery.TacheFiable``.
Chaque traitement garde son état en base par jour (``TraitementPlanifie``) :
une livraison en double ou une reprise après un worker tué ne refait rien
de ce qui est validé. Les noms des tâches sont écrits en toutes lettres
(``demandes.tasks.*``) : les tâches en file et les lignes de l'outbox les
citent, ils ne changent pas quand le code se déplace.
"""

from datetime import date

from celery import shared_task
from django.utils import timezone

from demandes.labels import services as labels
from demandes.pieces import services as pieces
from demandes.relances import traitements


def _jour(jour: str | None) -> date:
    return date.fromisoformat(jour) if jour else timezone.localdate()


@shared_task(name="demandes.tasks.envoyer_relances")
def envoyer_relances(jour: str | None = None) -> str:
    """Rappels de renouvellement un mois avant l'échéance (beat, chaque matin)."""
    return str(traitements.envoyer_relances(_jour(jour)))


@shared_task(name="demandes.tasks.annuler_demandes_echues")
def annuler_demandes_echues(jour: str | None = None) -> str:
    """Annulation automatique des demandes non renouvelées (beat, chaque nuit)."""
    return str(traitements.annuler_demandes_echues(_jour(jour)))


@shared_task(name="demandes.tasks.radier_sans_reponse")
def radier_sans_reponse(jour: str | None = None) -> str:
    """Lettres d'avertissement du jour et radiation un mois après un avertissement sans réponse (beat)."""
    return str(traitements.radier_sans_reponse(_jour(jour)))


@shared_task(name="demandes.tasks.purger_demandes_radiees")
def purger_demandes_radiees(jour: str | None = None) -> str:
    """Données personnelles des demandes radiées au-delà de la durée de conservation (beat, chaque nuit)."""
    return str(traitements.purger_demandes_radiees(_jour(jour)))


@shared_task(name="demandes.tasks.detecter_doublons_nuit")
def detecter_doublons_nuit(jour: str | None = None) -> str:
    """Détection des doublons sur tout le fichier actif (beat, chaque nuit)."""
    return str(traitements.detecter_doublons_nuit(_jour(jour)))


@shared_task(name="demandes.tasks.clore_relances")
def clore_relances(demande_id: int) -> int:
    """Suite d'un renouvellement ou d'une réactivation (outbox) : rappels de l'ancienne échéance sans objet."""
    return traitements.clore_relances(demande_id)


@shared_task(name="demandes.tasks.recalculer_labels_automatiques")
def recalculer_labels_automatiques(jour: str | None = None) -> str:
    """Labels calculés (1er quartile) de tout le fichier actif, en SQL ensembliste (beat, chaque nuit, avant la
    cotation qui relit les demandes dont un label a changé)."""
    bilan = labels.recalculer_labels_automatiques_fichier(le=_jour(jour))
    return f"{bilan.poses} posés, {bilan.retraits} retirés"


@shared_task(name="demandes.tasks.nettoyer_pieces_orphelines")
def nettoyer_pieces_orphelines() -> str:
    """Efface les fichiers de pièces sans ligne en base depuis plus d'une heure (processus tué entre
    l'écriture du fichier et la validation du dépôt) ; idempotent (beat, chaque nuit)."""
    return f"{pieces.nettoyer_fichiers_orphelins()} fichier(s) orphelin(s) effacé(s)"


@shared_task(name="demandes.tasks.reprendre_traitements_interrompus")
def reprendre_traitements_interrompus() -> list:
    """Surveillance (beat, chaque minute) : un job dont le processus est mort est replanifié aussitôt."""
    return [f"{job} du {jour:%d/%m/%Y}" for job, jour in traitements.reprendre_interrompus()]
