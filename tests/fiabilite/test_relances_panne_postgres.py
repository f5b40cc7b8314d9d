"""Exercice : PostgreSQL s'arrête brutalement pendant l'envoi des rappels (issue 16, point 4).

Un PostgreSQL propre au test (copie de la base de test : 172 demandes à
rappeler par SMS et courrier) ; un vrai worker envoie les rappels à un
« fournisseur » SMS qui, lui, **ne déduplique rien** : il note chaque appel
dans un fichier. Au milieu des envois, PostgreSQL est arrêté en mode
``immediate`` (comme une coupure : ce qui n'est pas écrit dans le journal
est perdu), puis redémarré ; la tâche reprend seule (nouvelle tentative).

Garanti : chaque SMS part ; aucun SMS déjà marqué « envoyé » ne repart
(marques validées durablement, jamais ``synchronous_commit = off``) ; seul
l'envoi en vol au moment de la coupure peut partir deux fois, et alors avec
la même clé d'idempotence, notée sur la relance **avant** l'envoi.

Avant correction : 3 SMS sur 172 envoyés deux fois lors de l'exercice réel.
"""

import os
import subprocess
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from demandes.relances.envoi import reference
from tests.fiabilite.serveurs import PostgresPrive, attendre, lire, url_postgres, worker_celery
from tests.fiabilite.test_traitements import JOUR, _demandes_a_relancer, _lancer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.exercice]

N = 172
VARIABLE_FICHIER = "FDLS_EXERCICE_FOURNISSEUR_SMS"


class FournisseurSansDeduplication:
    """Fournisseur SMS du test : chaque appel est un SMS facturé (une ligne, écrite sur disque), 10 ms chacun."""

    def envoyer(self, numero, texte, reference):
        time.sleep(0.01)
        with open(os.environ[VARIABLE_FICHIER], "a", encoding="utf-8") as fichier:
            fichier.write(f"{reference}\n")
            fichier.flush()
            os.fsync(fichier.fileno())
        return f"fournisseur-{reference}"


def _envoyes(fichier: Path) -> list[str]:
    return fichier.read_text().split() if fichier.exists() else []


def _copier_la_base_de_test(pg: PostgresPrive) -> str:
    """La base de test (schéma, référentiel, demandes du test) copiée dans le PostgreSQL du test."""
    url = pg.creer_base("fdls")
    dump = subprocess.run(
        ["pg_dump", "--no-owner", "--no-privileges", url_postgres(connection.settings_dict)],
        check=True,
        capture_output=True,
        timeout=120,
    ).stdout
    # Le PostgreSQL jetable (pgserver) n'a pas les extensions « contrib » : l'index de trigrammes du numéro
    # unique, facultatif, reste dehors — comme la migration demandes.0034 le fait sur un tel serveur.
    dump = b"\n".join(ligne for ligne in dump.split(b"\n") if b"pg_trgm" not in ligne and b"gin_trgm_ops" not in ligne)
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", url],  # psql du système : il comprend le \\restrict de son pg_dump
        input=dump,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return url


def _une_valeur(url: str, sql: str, params=()):
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            return conn.execute(sql, params).fetchone()
    except psycopg.OperationalError:
        return None


def test_postgresql_coupe_pendant_les_rappels_aucun_sms_marque_envoye_ne_repart(broker_prive, tmp_path):
    _demandes_a_relancer(N)
    fichier = tmp_path / "fournisseur-sms.txt"
    pg = PostgresPrive()
    try:
        pg.initialiser()
        # Le journal des commits asynchrones est écrit toutes les 10 s au lieu de 0,2 s : une marque écrite avec
        # ``synchronous_commit = off`` est alors sûrement perdue par la coupure (en production : les ≈ 0,6 s
        # précédentes, 3 SMS sur 172 lors de l'exercice réel). Une marque durable, elle, ne dépend pas de ce réglage.
        pg.demarrer("wal_writer_delay=10000")
        url = _copier_la_base_de_test(pg)
        env = {
            "REDIS_URL": broker_prive.url,
            "DATABASE_URL": url,
            "FDLS_SMS_BACKEND": "tests.fiabilite.test_relances_panne_postgres.FournisseurSansDeduplication",
            "FDLS_COURRIERS_DIR": str(tmp_path / "courriers"),
            VARIABLE_FICHIER: str(fichier),
        }
        _lancer("demandes.tasks.envoyer_relances", JOUR.isoformat())
        with worker_celery(env) as (worker, journal):
            try:
                attendre(lambda: len(_envoyes(fichier)) >= 60, delai=90, pas=0.005)
            except TimeoutError:
                activite = _une_valeur(
                    url,
                    "SELECT json_agg(json_build_object('etat', state, 'attente', wait_event, 'requete', query)) "
                    "FROM pg_stat_activity WHERE datname = 'fdls'",
                )
                pytest.fail(f"le worker n'a pas commencé les envois :\n{lire(journal)}\n{activite}")
            pg.arreter("immediate")  # coupure : le journal non écrit est perdu
            au_crash = len(_envoyes(fichier))
            time.sleep(1)
            pg.demarrer()
            try:
                attendre(
                    lambda: _une_valeur(
                        url, "SELECT 1 FROM demandes_traitementplanifie WHERE job = 'relances' AND statut = 'termine'"
                    ),
                    delai=120,
                    pas=0.5,
                )
            except TimeoutError:
                pytest.fail(f"les rappels n'ont pas repris après la coupure :\n{lire(journal)}")
            assert worker.poll() is None  # le même worker a repris seul

        envoyes = Counter(_envoyes(fichier))
        doubles = {ref: n for ref, n in envoyes.items() if n > 1}
        print(f"\ncoupure de PostgreSQL après {au_crash} SMS : {len(envoyes)} SMS distincts, deux fois : {doubles}")
        with psycopg.connect(url) as conn:
            relances = conn.execute(
                "SELECT id, statut, cle_idempotence FROM demandes_relance WHERE canal = 'sms' ORDER BY id"
            ).fetchall()
    finally:
        pg.nettoyer()

    assert len(relances) == N
    assert {statut for _id, statut, _cle in relances} == {"envoyee"}
    # La clé d'idempotence donnée au fournisseur est notée sur chaque relance.
    assert all(cle == reference(pk) for pk, _statut, cle in relances)
    assert set(envoyes) == {reference(pk) for pk, _statut, _cle in relances}  # chaque SMS est parti
    # Seul l'envoi en vol au moment de la coupure peut repartir (avec la même clé) : jamais un SMS marqué envoyé.
    assert len(doubles) <= 1, doubles
    assert all(n == 2 for n in doubles.values())
