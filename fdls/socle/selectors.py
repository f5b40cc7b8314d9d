"""Lectures du socle : compteurs de l'accueil et des rubriques, état des services."""

import time

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Count
from redis.backoff import NoBackoff
from redis.retry import Retry

from fdls import acces
from fdls.comptes.models import Utilisateur
from fdls.organismes.models import Guichet, Organisme
from fdls.territoires.models import Commune, Departement, Epci, Quartier


def _demandes_visibles(user):
    # Import paresseux : le socle ne dépend pas des applications métier
    # (exception déclarée dans le contrat import-linter de pyproject.toml).
    from demandes.models import Demande

    return Demande.objects.visibles_par(user)


def compteurs_accueil(user) -> dict:
    """Compteurs de la page d'accueil, limités à ce que l'utilisateur peut voir.

    Les demandes ne sont comptées que pour les rôles nominatifs et à travers
    la politique d'accès ; les partenaires (organismes, guichets) ne sont pas
    des données nominatives et sont comptés pour tout agent.
    """
    from demandes.models import Demande

    compteurs = {}
    if acces.voit_nominatif(user):
        visibles = _demandes_visibles(user)
        compteurs["demandes_actives"] = visibles.actives().count()
        compteurs["brouillons_organisme"] = visibles.filter(
            etat=Demande.Etat.BROUILLON, guichet__organisme=user.organisme_id
        ).count()
    if user.organisme_id:
        compteurs["communes_habilitees"] = user.organisme.perimetre.count()
        compteurs["guichets_organisme"] = user.organisme.guichets.filter(actif=True).count()
    compteurs["organismes_partenaires"] = Organisme.objects.filter(actif=True).count()
    compteurs["guichets_partenaires"] = Guichet.objects.filter(actif=True).count()
    return compteurs


def compteurs_referentiel() -> dict:
    """Taille du référentiel territorial (données publiques, sans nom)."""
    return {
        "departements": Departement.objects.count(),
        "epci": Epci.objects.count(),
        "communes": Commune.objects.count(),
        "quartiers": Quartier.objects.count(),
        "quartiers_qpv": Quartier.objects.filter(qpv=True).count(),
    }


def partenaires_par_type() -> list[dict]:
    """Organismes partenaires actifs par type, avec leurs guichets actifs (sans nom)."""
    organismes = dict(
        Organisme.objects.filter(actif=True).order_by().values("type").annotate(n=Count("id")).values_list("type", "n")
    )
    guichets = dict(
        Guichet.objects.filter(actif=True, organisme__actif=True)
        .order_by()
        .values("organisme__type")
        .annotate(n=Count("id"))
        .values_list("organisme__type", "n")
    )
    return [
        {"type": code, "libelle": libelle, "organismes": organismes[code], "guichets": guichets.get(code, 0)}
        for code, libelle in Organisme.Type.choices
        if organismes.get(code)
    ]


def compteurs_section(nom: str, user) -> dict:
    """Chiffres déjà disponibles qui se rattachent à une rubrique du menu (sans nom)."""
    compteurs: dict = {}
    if nom in ("offre", "instruction"):
        compteurs["bailleurs"] = Organisme.objects.filter(actif=True, type=Organisme.Type.BAILLEUR).count()
    if nom == "offre":
        compteurs.update(compteurs_referentiel())
    if nom == "instruction" and acces.voit_nominatif(user):
        compteurs["demandes_actives"] = _demandes_visibles(user).actives().count()
    if nom == "statistiques":
        compteurs.update(compteurs_referentiel())
        compteurs["partenaires_par_type"] = partenaires_par_type()
    if nom == "editions":
        compteurs["guichets_accompagnateurs"] = Guichet.objects.filter(
            actif=True, type=Guichet.Type.ACCOMPAGNATEUR
        ).count()
    return compteurs


def compteurs_administration() -> dict:
    """Compteurs de la page d'administration : référentiel, partenaires, comptes."""
    return {
        **compteurs_referentiel(),
        "organismes": Organisme.objects.filter(actif=True).count(),
        "guichets": Guichet.objects.filter(actif=True).count(),
        "agents": Utilisateur.objects.agents().filter(is_active=True).count(),
        "demandeurs": Utilisateur.objects.demandeurs().filter(is_active=True).count(),
    }


def etat_base() -> dict:
    """La base répond-elle ? (``SELECT 1``, borné par ``connect_timeout``)."""
    debut = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
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
    from fdls.socle.tasks import CLE_BATTEMENT

    try:
        with _client_redis() as client:
            valeur = client.get(CLE_BATTEMENT)
    except Exception as exc:
        return {"ok": False, "erreur": type(exc).__name__}
    if valeur is None:
        return {"ok": False, "erreur": "aucun battement reçu"}
    age = max(0.0, time.time() - float(valeur))
    return {"ok": age < AGE_MAX_BATTEMENT_S, "dernier_battement_s": round(age)}
