"""Planification durable des tâches Celery (outbox transactionnelle).

``planifier("module.tache", *args)`` écrit une ligne dans la transaction
courante ; après le commit, on tente l'envoi immédiat. Si le broker est
injoignable, la ligne reste « en attente » et ``relayer_taches_en_attente``
(beat, toutes les 30 s, ou ``manage.py relayer_taches --envoyer``) l'enverra.
Celery livrant au moins une fois, les tâches sont idempotentes.

Un envoi ne doit jamais retenir une requête web : la connexion au broker est
ouverte sans nouvelle tentative et avec des délais d'une seconde, et après un
échec les envois immédiats sont suspendus quelques secondes (le relais, lui,
essaie toujours).
"""

import functools
import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from fdls.celery import app
from fdls.socle.models import TacheSortante

logger = logging.getLogger(__name__)

#: Délais de la connexion d'envoi (s) : un broker arrêté ou figé coûte au plus ~1 s.
DELAI_BROKER_S = 1
#: Après un échec, durée pendant laquelle les envois immédiats sont laissés au relais.
SUSPENSION_APRES_ECHEC_S = 15
#: Les lignes envoyées sont conservées ce temps-là pour le diagnostic, puis purgées.
CONSERVATION_ENVOYEES = timedelta(days=7)

_suspensions: dict[str, float] = {}
_verrou = threading.Lock()


class BrokerInjoignable(Exception):
    pass


@functools.cache
def _verifier_nom(nom: str) -> None:
    # Convention du projet : le nom Celery d'une tâche est son chemin d'import
    # (tests/fiabilite/test_celery.py le vérifie pour les tâches périodiques).
    try:
        tache = import_string(nom)
    except ImportError:
        tache = None
    if getattr(tache, "name", None) != nom:
        raise ValueError(f"Tâche Celery inconnue : {nom!r}.")


def planifier(nom: str, *args, **kwargs) -> TacheSortante:
    """Demande l'exécution de la tâche ``nom`` si et quand la transaction est validée.

    Les arguments doivent être sérialisables en JSON. Un nom inconnu est une
    erreur de programmation : le worker jetterait le message sans l'exécuter.
    """
    _verifier_nom(nom)
    tache = TacheSortante.objects.create(nom=nom, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: envoyer(tache.pk), robust=True)
    return tache


def _connexion_broker():
    """Connexion au broker courant (``CELERY_BROKER_URL``), établie sans nouvelle tentative."""
    options = {
        **(app.conf.broker_transport_options or {}),
        "socket_connect_timeout": DELAI_BROKER_S,
        "socket_timeout": DELAI_BROKER_S,
    }
    connexion = app.connection_for_write(settings.CELERY_BROKER_URL, transport_options=options)
    try:
        connexion.ensure_connection(max_retries=0)
    except Exception as exc:
        connexion.release()
        raise BrokerInjoignable(f"{type(exc).__name__}: {exc}") from exc
    return connexion


def _envoyer_une(tache_id: int, connexion) -> bool:
    """Publie une ligne en attente ; lève BrokerInjoignable (ligne annotée) si le broker refuse."""
    with transaction.atomic():
        tache = (
            TacheSortante.objects.select_for_update(skip_locked=True)
            .filter(pk=tache_id, etat=TacheSortante.Etat.EN_ATTENTE)
            .first()
        )
        if tache is None:  # déjà envoyée, ou en cours d'envoi par un autre processus
            return False
        tache.tentatives += 1
        try:
            app.send_task(
                tache.nom,
                args=tache.args,
                kwargs=tache.kwargs,
                # Identifiant lisible : les journaux du worker renvoient à la ligne de l'outbox.
                task_id=f"fdls-tache-{tache.pk}-{tache.tentatives}",
                connection=connexion,
                retry=False,
            )
        except Exception as exc:
            tache.derniere_erreur = f"{type(exc).__name__}: {exc}"[:2000]
            tache.save(update_fields=["tentatives", "derniere_erreur"])
        else:
            # Si ce commit échoue, la ligne reste en attente et sera renvoyée : au moins une fois.
            tache.etat = TacheSortante.Etat.ENVOYEE
            tache.envoyee_le = timezone.now()
            tache.derniere_erreur = ""
            tache.save(update_fields=["etat", "envoyee_le", "tentatives", "derniere_erreur"])
            return True
    raise BrokerInjoignable(tache.derniere_erreur)


def _suspendre(url: str) -> None:
    with _verrou:
        _suspensions[url] = time.monotonic() + SUSPENSION_APRES_ECHEC_S


def _est_suspendu(url: str) -> bool:
    with _verrou:
        return _suspensions.get(url, 0) > time.monotonic()


def _lever_suspension(url: str) -> None:
    with _verrou:
        _suspensions.pop(url, None)


def envoyer(tache_id: int) -> bool:
    """Envoie une tâche de l'outbox au broker ; renvoie True si elle est partie.

    Appelé après le commit de la transaction qui l'a planifiée. N'échoue
    jamais : si le broker est injoignable, la ligne attend le relais.
    """
    url = settings.CELERY_BROKER_URL
    if _est_suspendu(url):
        return False
    try:
        connexion = _connexion_broker()
    except BrokerInjoignable as exc:
        TacheSortante.objects.filter(pk=tache_id, etat=TacheSortante.Etat.EN_ATTENTE).update(
            tentatives=F("tentatives") + 1, derniere_erreur=str(exc)[:2000]
        )
        erreur = exc
    else:
        try:
            with connexion:
                return _envoyer_une(tache_id, connexion)
        except BrokerInjoignable as exc:  # ligne déjà annotée
            erreur = exc
    _suspendre(url)
    logger.warning("Broker injoignable, tâche %s laissée au relais : %s", tache_id, erreur)
    return False


def en_attente(limite: int = 500):
    """Lignes de l'outbox pas encore envoyées, des plus anciennes aux plus récentes."""
    return TacheSortante.objects.filter(etat=TacheSortante.Etat.EN_ATTENTE).order_by("created_at", "pk")[:limite]


def relayer(limite: int = 500) -> int:
    """Envoie les tâches restées en attente ; renvoie le nombre envoyé.

    S'arrête au premier refus du broker : les lignes restantes attendent le
    passage suivant, sans qu'une longue file ne coûte un délai par ligne.
    """
    ids = list(en_attente(limite).values_list("pk", flat=True))
    if not ids:
        return 0
    url = settings.CELERY_BROKER_URL
    envoyees = 0
    try:
        with _connexion_broker() as connexion:
            for pk in ids:
                if _envoyer_une(pk, connexion):
                    envoyees += 1
    except BrokerInjoignable as exc:
        _suspendre(url)
        logger.warning("Broker injoignable : %s tâche(s) relayée(s) sur %s (%s)", envoyees, len(ids), exc)
        return envoyees
    _lever_suspension(url)
    if envoyees:
        logger.info("%s tâche(s) en attente relayée(s) au broker", envoyees)
    return envoyees


def purger_envoyees(*, maintenant=None) -> int:
    """Supprime les lignes envoyées depuis plus de ``CONSERVATION_ENVOYEES``."""
    limite = (maintenant or timezone.now()) - CONSERVATION_ENVOYEES
    supprimees, _ = TacheSortante.objects.filter(etat=TacheSortante.Etat.ENVOYEE, envoyee_le__lt=limite).delete()
    return supprimees
