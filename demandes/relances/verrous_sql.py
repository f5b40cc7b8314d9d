"""SQL de session des traitements planifiés : verrous consultatifs (pris, attendus, ou seulement regardés).

* ``verrou_consultatif`` : ``pg_try_advisory_lock`` de session ; une seconde
  exécution concurrente d'un traitement s'arrête aussitôt, et si le processus
  meurt, PostgreSQL libère le verrou avec la connexion (docs/reliability.md §8).
* ``detenteur`` : le processus serveur (pid) qui tient ce verrou, lu dans
  ``pg_locks`` **sans le prendre** : un job noté « en cours » dont le verrou
  n'a plus de détenteur appartient à un processus mort.
* ``verrou_attendu`` : ``pg_advisory_lock`` de session, exclusif ou partagé,
  **attendu** : un second recalcul de la cotation attend la fin du premier
  (sérialisation) au lieu de s'arrêter.

Les marques « envoyée » des rappels ne coupent plus ``synchronous_commit`` :
une coupure de PostgreSQL les perdait, et les SMS repartaient (issue 16).

Sans équivalent ORM : le test (``tests/demandes/relances/test_verrous_sql.py``)
vérifie le résultat observable — le verrou vu de ``pg_locks`` et refusé à
une autre connexion, puis libéré ; le détenteur vu d'une autre connexion,
puis plus personne quand sa connexion se ferme ; le verrou attendu qui
bloque jusqu'à ce que l'autre le rende (tests/fiabilite/test_recalcul_concurrent.py).
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from fdls.celery import ERREURS_PASSAGERES

logger = logging.getLogger(__name__)


@contextmanager
def verrou_consultatif(classe: int, cle: str) -> Iterator[bool]:
    """Verrou consultatif de session (``classe``, ``hashtext(cle)``) ; rend ``False`` si un autre le tient."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", [classe, cle])
        obtenu = cursor.fetchone()[0]
    try:
        yield obtenu
    finally:
        if obtenu:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", [classe, cle])
            except ERREURS_PASSAGERES:  # connexion perdue : le serveur a déjà libéré le verrou
                logger.warning("Verrou du traitement %s non libéré explicitement (connexion perdue)", cle)


def detenteur(classe: int, cle: str) -> int | None:
    """Pid du processus serveur qui tient le verrou (``classe``, ``hashtext(cle)``) dans cette base, sans le
    prendre ; ``None`` si personne (le processus qui le tenait est mort, ou a fini)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 "
            "AND classid = %s::oid AND objid = hashtext(%s)::oid "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [classe, cle],
        )
        ligne = cursor.fetchone()
    return ligne[0] if ligne else None


@contextmanager
def verrou_attendu(classe: int, cle: str, *, partage: bool = False) -> Iterator[None]:
    """Verrou consultatif de session (``classe``, ``hashtext(cle)``) attendu s'il est tenu ailleurs ; ``partage`` :
    compatible avec les autres verrous partagés, exclusif avec un verrou exclusif."""
    suffixe = "_shared" if partage else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory_lock{suffixe}(%s, hashtext(%s))", [classe, cle])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT pg_advisory_unlock{suffixe}(%s, hashtext(%s))", [classe, cle])
        except ERREURS_PASSAGERES:  # connexion perdue : le serveur a déjà libéré le verrou
            logger.warning("Verrou %s non libéré explicitement (connexion perdue)", cle)
