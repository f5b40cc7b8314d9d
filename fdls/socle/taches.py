"""Planification durable des tâches Celery (outbox transactionnelle).

``planifier("module.tache", *args)`` écrit une ligne dans la transaction
courante ; après le commit, on tente l'envoi immédiat. Si le broker est
injoignable, la ligne reste « en attente » et ``relayer_taches_en_attente``
(beat, toutes les 30 s, ou ``manage.py relayer_taches``) l'enverra. Celery
livrant au moins une fois, les tâches sont idempotentes.
"""

import logging

from django.db import transaction
from django.utils import timezone

from fdls.socle.models import TacheSortante

logger = logging.getLogger(__name__)


def planifier(nom: str, *args, **kwargs) -> TacheSortante:
    """Demande l'exécution de la tâche ``nom`` si et quand la transaction est validée."""
    tache = TacheSortante.objects.create(nom=nom, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: envoyer(tache.pk), robust=True)
    return tache


def envoyer(tache_id: int) -> bool:
    """Envoie une tâche de l'outbox au broker ; renvoie True si elle est partie."""
    from fdls.celery import app

    with transaction.atomic():
        tache = (
            TacheSortante.objects.select_for_update(skip_locked=True)
            .filter(pk=tache_id, etat=TacheSortante.Etat.EN_ATTENTE)
            .first()
        )
        if tache is None:
            return False
        try:
            app.send_task(tache.nom, args=tache.args, kwargs=tache.kwargs, retry=False)
        except Exception as exc:  # broker injoignable : la ligne attend le relais
            tache.tentatives += 1
            tache.derniere_erreur = f"{type(exc).__name__}: {exc}"[:2000]
            tache.save(update_fields=["tentatives", "derniere_erreur"])
            logger.warning("Broker injoignable, tâche %s mise en attente : %s", tache.nom, exc)
            return False
        tache.etat = TacheSortante.Etat.ENVOYEE
        tache.envoyee_le = timezone.now()
        tache.tentatives += 1
        tache.save(update_fields=["etat", "envoyee_le", "tentatives"])
        return True


def relayer(limite: int = 500) -> int:
    """Envoie les tâches restées en attente ; renvoie le nombre envoyé."""
    ids = list(
        TacheSortante.objects.filter(etat=TacheSortante.Etat.EN_ATTENTE)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limite]
    )
    return sum(1 for pk in ids if envoyer(pk))
