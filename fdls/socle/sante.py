"""État des services lu par ``/healthz`` : base, broker, battement du worker."""

import time

import redis
from django.conf import settings
from django.db import connection
from redis.backoff import NoBackoff
from redis.retry import Retry

from fdls.socle import sante_sql
from fdls.socle.tasks import CLE_BATTEMENT


def etat_base() -> dict:
    """La base répond-elle ? (``SELECT 1``, borné par ``connect_timeout``)."""
    debut = time.monotonic()
    try:
        sante_sql.ping()
        return {"ok": True, "ms": round((time.monotonic() - debut) * 1000, 1)}
    except Exception as exc:
        # Une connexion cassée n'est pas réutilisée : la suivante se reconnecte.
        connection.close_if_unusable_or_obsolete()
        return {"ok": False, "erreur": type(exc).__name__}


#: Un contrôle d'état ne doit pas attendre : une seule tentative, une seconde au plus.
DELAI_REDIS_S = 1
#: Le battement est émis toutes les 60 s (beat) : trois battements manqués = worker absent.
AGE_MAX_BATTEMENT_S = 180


def _client_redis():
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=DELAI_REDIS_S,
        socket_timeout=DELAI_REDIS_S,
        retry=Retry(NoBackoff(), 0),
    )


def etat_broker() -> dict:
    """Le broker (Redis/Valkey de ``REDIS_URL``) répond-il à PING ?"""
    debut = time.monotonic()
    try:
        with _client_redis() as client:
            client.ping()
        return {"ok": True, "ms": round((time.monotonic() - debut) * 1000, 1)}
    except Exception as exc:
        return {"ok": False, "erreur": type(exc).__name__}


def etat_worker() -> dict:
    """Âge du dernier battement d'un worker Celery (tâche beat « battement »)."""
    try:
        with _client_redis() as client:
            valeur = client.get(CLE_BATTEMENT)
    except Exception as exc:
        return {"ok": False, "erreur": type(exc).__name__}
    if valeur is None:
        return {"ok": False, "erreur": "aucun battement reçu"}
    age = max(0.0, time.time() - float(valeur))
    return {"ok": age < AGE_MAX_BATTEMENT_S, "dernier_battement_s": round(age)}
