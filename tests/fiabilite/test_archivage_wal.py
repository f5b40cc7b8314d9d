"""Exercice : le disque de la base est perdu ; combien de travail validé revient ?

Le PostgreSQL du test (le 15 de Debian : le pgBackRest 2.45 de Debian bookworm,
installé par scripts/tester.sh, ne gère pas le 16 ; l'image de production prend
le pgBackRest à jour du dépôt PGDG) reçoit la configuration d'archivage du service
``postgres`` de docker-compose.yml (``archive_mode``, ``archive_timeout``,
``archive_command`` de pgBackRest) et la configuration pgBackRest de
``x-pgbackrest`` ; seuls les chemins changent (dossier du cluster, dépôt dans
un AUTRE dossier : « l'autre volume »). Après une sauvegarde de base, une
transaction est validée toutes les 0,25 s pendant ``archive_timeout`` + 20 s,
puis le serveur est tué et son dossier de données supprimé (perte du disque).
La restauration (``pgbackrest restore`` puis rejeu des WAL archivés) doit
rendre tout ce qui a été validé plus de ``archive_timeout`` (+ 5 s de marge)
avant la perte : c'est le RPO promis (≤ 5 minutes). RPO et durée de
restauration mesurés sont affichés (``pytest -s``) et reportés dans
docs/reliability.md ; la mesure à 1 M de demandes est bench/bench_restauration.py.
"""

import shutil
import threading
import time

import psycopg
import pytest

from tests.fiabilite.serveurs import BIN_PG15, PostgresPrive, adapter_au_cluster, attendre, configuration_compose

#: RPO promis par docs/reliability.md.
RPO_PROMIS_S = 300
MARGE_S = 5


class Ecrivain(threading.Thread):
    """Valide une ligne toutes les ``pas`` secondes et note l'instant de chaque validation."""

    def __init__(self, url: str, pas: float = 0.25):
        super().__init__(daemon=True)
        self.url, self.pas = url, pas
        self.valides: dict[int, float] = {}
        self.arret = threading.Event()

    def run(self):
        try:
            with psycopg.connect(self.url, autocommit=True) as conn:
                while not self.arret.is_set():
                    numero = conn.execute("INSERT INTO exercice DEFAULT VALUES RETURNING id").fetchone()[0]
                    self.valides[numero] = time.monotonic()
                    time.sleep(self.pas)
        except psycopg.OperationalError:
            pass  # le serveur vient d'être tué : la validation en cours n'a pas été confirmée


@pytest.mark.exercice
def test_perte_du_disque_de_la_base_rpo_tenu_par_l_archivage_pgbackrest():
    reglages, pgbackrest = configuration_compose()
    assert reglages["archive_mode"] == "on"
    assert "pgbackrest" in reglages["archive_command"]  # un outil, vers un dépôt séparé — pas un cp local
    archive_timeout = int(reglages["archive_timeout"])
    assert archive_timeout + MARGE_S <= RPO_PROMIS_S

    pg = PostgresPrive(BIN_PG15)
    try:
        pg.initialiser()
        depot = pg.dossier("depot")  # « l'autre volume » : survit à la perte du dossier de données
        pg.env = adapter_au_cluster(pg, pgbackrest, depot)
        pg.configurer(reglages)
        pg.demarrer(rapide=False)
        url = pg.url()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE exercice (id bigserial PRIMARY KEY, le timestamptz DEFAULT clock_timestamp())")
        pg.pgbackrest("stanza-create")
        pg.pgbackrest("backup", "--type=full")

        ecrivain = Ecrivain(url)
        ecrivain.start()
        time.sleep(archive_timeout + 20)
        # Perte du disque : le serveur meurt sans rien archiver de plus, son dossier disparaît.
        pg.arreter("immediate")
        perte = time.monotonic()
        ecrivain.arret.set()
        ecrivain.join(10)
        shutil.rmtree(pg.donnees)
        pg.dossier("donnees")

        debut_restauration = time.monotonic()
        pg.pgbackrest("restore")
        pg.demarrer(rapide=False)
        with psycopg.connect(url, autocommit=True) as conn:
            attendre(lambda: not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0], delai=120, pas=0.2)
            retrouves = {ligne[0] for ligne in conn.execute("SELECT id FROM exercice")}
        duree_restauration = time.monotonic() - debut_restauration
    finally:
        pg.nettoyer()

    valides = ecrivain.valides
    perdus = sorted(set(valides) - retrouves)
    assert retrouves <= set(valides)
    # Ce qui revient est un préfixe de l'histoire : aucun trou.
    assert not perdus or min(perdus) > max(retrouves, default=0)
    dernier_retrouve = max((valides[n] for n in retrouves), default=0)
    rpo = perte - dernier_retrouve
    print(
        f"\narchive_timeout {archive_timeout} s : {len(retrouves)}/{len(valides)} validations retrouvées, "
        f"{len(perdus)} perdues ; RPO mesuré {rpo:.1f} s ; restauration (restore + rejeu + promotion) "
        f"{duree_restauration:.1f} s"
    )
    assert len(retrouves) > 0
    assert rpo <= archive_timeout + MARGE_S
