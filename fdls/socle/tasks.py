"""Tâches techniques du socle (minces : elles appellent des services).

Politique commune (accusé tardif, nouvelles tentatives) : ``fdls.celery.TacheFiable``.
"""

import time

import redis
from celery import shared_task
from celery.signals import task_failure, task_success
from django.conf import settings

from fdls.socle import taches

CLE_BATTEMENT = "fdls:worker:battement"
#: Le battement expire seul : un worker arrêté depuis 10 min n'en laisse aucune trace.
DUREE_BATTEMENT_S = 600


@shared_task(name="fdls.socle.tasks.relayer_taches_en_attente")
def relayer_taches_en_attente():
    """Relais de l'outbox (beat, toutes les 30 s) puis purge des lignes envoyées anciennes."""
    envoyees = taches.relayer()
    taches.purger_envoyees()
    return envoyees


@shared_task(name="fdls.socle.tasks.battement")
def battement():
    """Signal de vie du worker (horodatage Unix), lu par /healthz."""
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    client.set(CLE_BATTEMENT, repr(time.time()), ex=DUREE_BATTEMENT_S)
    return True


@task_success.connect(dispatch_uid="fdls_outbox_acquittement")
def _acquitter_succes(sender=None, **kwargs):
    """Une tâche de l'outbox a tourné : sa ligne passe « exécutée » (elle ne sera plus republiée)."""
    taches.acquitter(getattr(sender.request, "id", None))


@task_failure.connect(dispatch_uid="fdls_outbox_echec")
def _acquitter_echec(sender=None, task_id=None, exception=None, **kwargs):
    """Échec définitif (erreur de programmation, ou nouvelles tentatives épuisées) : ligne « échec », à examiner."""
    taches.acquitter(task_id, erreur=exception)
