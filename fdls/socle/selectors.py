"""Lectures du socle : compteurs de l'accueil, état des services."""

import time

import redis
from django.conf import settings
from django.db import connection

from fdls import acces


def compteurs_accueil(user) -> dict:
    """Compteurs de la page d'accueil, limités à ce que l'utilisateur peut voir."""
    from demandes.models import Demande

    compteurs = {}
    if acces.voit_nominatif(user):
        visibles = Demande.objects.visibles_par(user)
        compteurs["demandes_actives"] = visibles.filter(etat=Demande.Etat.ACTIVE).count()
        compteurs["brouillons_organisme"] = visibles.filter(
            etat=Demande.Etat.BROUILLON, guichet__organisme=user.organisme_id
        ).count()
    if user.organisme_id:
        compteurs["communes_habilitees"] = user.organisme.perimetre.count()
        compteurs["guichets_organisme"] = user.organisme.guichets.filter(actif=True).count()
    return compteurs


def etat_base() -> dict:
    debut = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "ms": round((time.monotonic() - debut) * 1000, 1)}
    except Exception as exc:
        connection.close_if_unusable_or_obsolete()
        return {"ok": False, "erreur": type(exc).__name__}


def _client_redis():
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def etat_broker() -> dict:
    debut = time.monotonic()
    try:
        _client_redis().ping()
        return {"ok": True, "ms": round((time.monotonic() - debut) * 1000, 1)}
    except Exception as exc:
        return {"ok": False, "erreur": type(exc).__name__}


def etat_worker() -> dict:
    """Dernier battement du worker Celery (tâche beat « battement »)."""
    from fdls.socle.tasks import CLE_BATTEMENT

    try:
        valeur = _client_redis().get(CLE_BATTEMENT)
    except Exception as exc:
        return {"ok": False, "erreur": type(exc).__name__}
    if valeur is None:
        return {"ok": False, "erreur": "aucun battement reçu"}
    age = time.time() - float(valeur)
    return {"ok": age < 180, "dernier_battement_s": round(age)}
