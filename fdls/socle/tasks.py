"""Tâches techniques du socle (minces : elles appellent des services).

Politique commune (accusé tardif, nouvelles tentatives) : ``fdls.celery.TacheFiable``.
"""

import time

import redis
from celery import shared_task
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
