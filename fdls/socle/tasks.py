"""Tâches techniques du socle (minces : elles appellent des services)."""

import time

import redis
from celery import shared_task
from django.conf import settings

from fdls.socle import taches

CLE_BATTEMENT = "fdls:worker:battement"


@shared_task(name="fdls.socle.tasks.relayer_taches_en_attente")
def relayer_taches_en_attente():
    return taches.relayer()


@shared_task(name="fdls.socle.tasks.battement")
def battement():
    """Signal de vie du worker, lu par /healthz."""
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
    client.set(CLE_BATTEMENT, str(time.time()), ex=600)
    return True
