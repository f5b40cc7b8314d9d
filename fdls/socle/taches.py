"""Planification durable des tâches Celery (outbox transactionnelle).

``planifier("module.tache", *args)`` écrit une ligne dans la transaction
courante ; après le commit, on tente l'envoi immédiat. Si le broker est
injoignable, la ligne reste « en attente » et ``relayer_taches_en_attente``
(beat, toutes les 30 s, ou ``manage.py relayer_taches --envoyer``) l'enverra.
Celery livrant au moins une fois, les tâches sont idempotentes.

Une ligne envoyée n'est pas oubliée : la tâche l'**acquitte** quand elle a
tourné (signal ``task_success`` du worker : « exécutée » ; ``task_failure`` :
« échec », à examiner). Le relais republie une ligne envoyée depuis plus de
``FDLS_OUTBOX_REPUBLICATION_S`` secondes, pas acquittée, et que le broker
n'a plus (ni en file, ni réservée par un worker) : un broker redémarré sans
son contenu ne perd donc aucun travail.

Un envoi ne doit jamais retenir une requête web : la connexion au broker est
ouverte sans nouvelle tentative et avec des délais d'une seconde, et après un
échec les envois immédiats sont suspendus quelques secondes (le relais, lui,
essaie toujours).
"""

import functools
import json
import logging
import re
import threading
import time
from datetime import timedelta

import redis
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
#: Les lignes exécutées sont conservées ce temps-là pour le diagnostic, puis purgées.
CONSERVATION_ENVOYEES = timedelta(days=7)
#: Identifiant Celery d'une publication : ``fdls-tache-<ligne>-<tentative>`` (le worker acquitte la ligne).
PREFIXE_ID = "fdls-tache-"
_ID_TACHE = re.compile(r"^fdls-tache-(\d+)-\d+$")

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


def id_celery(tache_id: int, tentative: int) -> str:
    return f"{PREFIXE_ID}{tache_id}-{tentative}"


def ligne_de(task_id: str | None) -> int | None:
    """La ligne de l'outbox d'une publication (``None`` : tâche lancée hors outbox, par le beat par exemple)."""
    correspondance = _ID_TACHE.match(task_id or "")
    return int(correspondance.group(1)) if correspondance else None


def _envoyer_une(tache_id: int, connexion, etat: str = TacheSortante.Etat.EN_ATTENTE) -> bool:
    """Publie une ligne (en attente, ou envoyée et perdue par le broker) ; lève BrokerInjoignable (ligne annotée)
    si le broker refuse."""
    with transaction.atomic():
        tache = TacheSortante.objects.select_for_update(skip_locked=True).filter(pk=tache_id, etat=etat).first()
        if tache is None:  # déjà envoyée ou exécutée, ou en cours d'envoi par un autre processus
            return False
        tache.tentatives += 1
        try:
            app.send_task(
                tache.nom,
                args=tache.args,
                kwargs=tache.kwargs,
                # Identifiant lisible : les journaux du worker renvoient à la ligne de l'outbox.
                task_id=id_celery(tache.pk, tache.tentatives),
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


def delai_republication() -> timedelta:
    return timedelta(seconds=settings.FDLS_OUTBOX_REPUBLICATION_S)


def non_executees(limite: int = 500, *, maintenant=None):
    """Lignes confiées au broker depuis plus que le délai de republication et pas encore acquittées."""
    limite_envoi = (maintenant or timezone.now()) - delai_republication()
    return TacheSortante.objects.filter(etat=TacheSortante.Etat.ENVOYEE, envoyee_le__lt=limite_envoi).order_by(
        "envoyee_le", "pk"
    )[:limite]


def _files_du_broker() -> list[str]:
    """Les listes Redis de la file des tâches (kombu crée une liste par niveau de priorité)."""
    file = settings.CELERY_TASK_DEFAULT_QUEUE
    return [file] + [f"{file}\x06\x16{priorite}" for priorite in (3, 6, 9)]


def lignes_dans_le_broker() -> set[int]:
    """Lignes de l'outbox dont une publication est encore dans le broker : en file, ou réservée par un worker
    (hachage ``unacked`` du transport Redis de kombu, jusqu'à l'accusé tardif)."""
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=DELAI_BROKER_S, socket_timeout=DELAI_BROKER_S
    )
    try:
        with client.pipeline(transaction=True) as pipe:
            for file in _files_du_broker():
                pipe.lrange(file, 0, -1)
            pipe.hvals("unacked")
            *files, reservees = pipe.execute()
    except redis.RedisError as exc:
        raise BrokerInjoignable(f"{type(exc).__name__}: {exc}") from exc
    finally:
        client.close()
    messages = [json.loads(m) for file in files for m in file] + [json.loads(m)[0] for m in reservees]
    lignes = (ligne_de((m.get("headers") or {}).get("id")) for m in messages)
    return {pk for pk in lignes if pk is not None}


def relayer(limite: int = 500) -> int:
    """Envoie les tâches restées en attente, puis republie celles que le broker a perdues ; renvoie le nombre
    envoyé.

    S'arrête au premier refus du broker : les lignes restantes attendent le
    passage suivant, sans qu'une longue file ne coûte un délai par ligne.
    Une ligne envoyée est republiée si elle n'est pas acquittée après le délai
    de republication et que le broker ne l'a plus : il a perdu son contenu
    (redémarrage sans persistance), la tâche n'a pas tourné.
    """
    ids = list(en_attente(limite).values_list("pk", flat=True))
    perdues = list(non_executees(limite).values_list("pk", flat=True))
    if not ids and not perdues:
        return 0
    url = settings.CELERY_BROKER_URL
    envoyees = 0
    try:
        with _connexion_broker() as connexion:
            for pk in ids:
                if _envoyer_une(pk, connexion):
                    envoyees += 1
            if perdues:
                presentes = lignes_dans_le_broker()
                for pk in perdues:
                    if pk not in presentes and _envoyer_une(pk, connexion, TacheSortante.Etat.ENVOYEE):
                        logger.warning("Tâche %s perdue par le broker avant exécution : republiée", pk)
                        envoyees += 1
    except BrokerInjoignable as exc:
        _suspendre(url)
        logger.warning("Broker injoignable : %s tâche(s) relayée(s) sur %s (%s)", envoyees, len(ids), exc)
        return envoyees
    _lever_suspension(url)
    if envoyees:
        logger.info("%s tâche(s) relayée(s) ou republiée(s) au broker", envoyees)
    return envoyees


def acquitter(task_id: str | None, *, erreur: BaseException | None = None) -> bool:
    """Le worker a exécuté (ou définitivement échoué) la publication ``task_id`` : la ligne le note.

    Appelé par les signaux ``task_success`` / ``task_failure`` (``fdls.socle.tasks``) ; sans effet pour une
    tâche lancée hors outbox. Une ligne en échec n'est plus republiée : elle attend un examen.
    """
    pk = ligne_de(task_id)
    if pk is None:
        return False
    lignes = TacheSortante.objects.filter(pk=pk).exclude(etat=TacheSortante.Etat.EXECUTEE)
    if erreur is None:
        return bool(lignes.update(etat=TacheSortante.Etat.EXECUTEE, executee_le=timezone.now()))
    return bool(
        lignes.update(etat=TacheSortante.Etat.ECHEC, derniere_erreur=f"{type(erreur).__name__}: {erreur}"[:2000])
    )


def purger_envoyees(*, maintenant=None) -> int:
    """Supprime les lignes exécutées depuis plus de ``CONSERVATION_ENVOYEES`` (jamais une ligne pas encore
    exécutée)."""
    limite = (maintenant or timezone.now()) - CONSERVATION_ENVOYEES
    supprimees, _ = TacheSortante.objects.filter(etat=TacheSortante.Etat.EXECUTEE, executee_le__lt=limite).delete()
    return supprimees
