"""Banc : sauvegarde pgBackRest et restauration après perte du disque, à 1 M de demandes.

Copie une base de banc (``--source``, lue par pg_dump, jamais modifiée) dans un
cluster PostgreSQL 15 jetable (celui de Debian, comme l'exercice) configuré comme le service ``postgres`` de
docker-compose.yml (archivage pgBackRest, ``archive_timeout``), prend une
sauvegarde complète, valide des transactions pendant ``archive_timeout`` + 20 s,
tue le serveur et supprime son dossier de données, puis restaure (``pgbackrest
restore`` + rejeu des WAL + promotion) et compte ce qui est revenu.

    .venv/bin/python -m bench.bench_restauration --source postgres://postgres@127.0.0.1:5432/fdls_bench

Affiche : taille de la base, durées de copie, de sauvegarde et de restauration,
taille du dépôt, RPO mesuré (docs/benchmarks.md, docs/reliability.md).
"""

import argparse
import shutil
import subprocess
import tempfile
import time

import psycopg

from tests.fiabilite.serveurs import BIN_PG15, PostgresPrive, adapter_au_cluster, attendre, configuration_compose


def _taille(chemin) -> int:
    return int(subprocess.run(["du", "-sb", str(chemin)], capture_output=True, text=True, check=True).stdout.split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="postgres://postgres@127.0.0.1:5432/fdls_bench")
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args()

    reglages, pgbackrest = configuration_compose()
    archive_timeout = int(reglages["archive_timeout"])
    pg = PostgresPrive(BIN_PG15)
    mesures = {}
    try:
        pg.initialiser()
        depot = pg.dossier("depot")
        pg.env = adapter_au_cluster(pg, pgbackrest, depot)
        pg.demarrer(rapide=True)  # copie initiale sans archivage ni fsync
        cible = pg.creer_base("fdls")

        debut = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="fdls-banc-dump-") as dossier_dump:
            subprocess.run(
                [
                    str(BIN_PG15 / "pg_dump"),
                    "-Fd",
                    "-Z0",
                    f"-j{options.jobs}",
                    "-f",
                    f"{dossier_dump}/d",
                    options.source,
                ],
                check=True,
            )
            subprocess.run(
                [str(BIN_PG15 / "pg_restore"), "--no-owner", "--no-privileges", f"-j{options.jobs}", "-d", cible]
                + [f"{dossier_dump}/d"],
                check=True,
            )
        mesures["copie_s"] = time.monotonic() - debut
        with psycopg.connect(cible, autocommit=True) as conn:
            demandes = conn.execute("SELECT count(*) FROM demandes_demande").fetchone()[0]
            par_etat = dict(conn.execute("SELECT etat, count(*) FROM demandes_demande GROUP BY etat").fetchall())
            taille_base = conn.execute("SELECT pg_database_size('fdls')").fetchone()[0]
            conn.execute("CREATE TABLE banc_rpo (id bigserial PRIMARY KEY, le timestamptz DEFAULT clock_timestamp())")

        # La configuration de production, puis la sauvegarde de base.
        pg.arreter()
        pg.configurer(reglages)
        pg.demarrer(rapide=False)
        pg.pgbackrest("stanza-create")
        debut = time.monotonic()
        pg.pgbackrest("backup", "--type=full", timeout=7200)
        mesures["sauvegarde_s"] = time.monotonic() - debut
        mesures["depot_octets"] = _taille(depot)

        valides = {}
        fin = time.monotonic() + archive_timeout + 20
        with psycopg.connect(cible, autocommit=True) as conn:
            while time.monotonic() < fin:
                numero = conn.execute("INSERT INTO banc_rpo DEFAULT VALUES RETURNING id").fetchone()[0]
                valides[numero] = time.monotonic()
                time.sleep(0.25)
        pg.arreter("immediate")
        perte = time.monotonic()
        shutil.rmtree(pg.donnees)
        pg.dossier("donnees")

        debut = time.monotonic()
        pg.pgbackrest("restore", timeout=7200)
        mesures["restore_fichiers_s"] = time.monotonic() - debut
        pg.demarrer(rapide=False)
        with psycopg.connect(cible, autocommit=True) as conn:
            attendre(lambda: not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0], delai=3600, pas=0.5)
            mesures["restauration_s"] = time.monotonic() - debut
            retrouvees = conn.execute("SELECT count(*) FROM demandes_demande").fetchone()[0]
            ids = [ligne[0] for ligne in conn.execute("SELECT id FROM banc_rpo")]
    finally:
        pg.nettoyer()

    rpo = perte - max((valides[n] for n in ids), default=perte)
    print(
        f"Base : {demandes} demandes ({par_etat}), {taille_base / 2**30:.2f} Gio ; copie {mesures['copie_s']:.0f} s\n"
        f"Sauvegarde complète pgBackRest (zst) : {mesures['sauvegarde_s']:.0f} s, "
        f"dépôt {mesures['depot_octets'] / 2**30:.2f} Gio\n"
        f"Restauration : fichiers {mesures['restore_fichiers_s']:.0f} s, avec rejeu et promotion "
        f"{mesures['restauration_s']:.0f} s ; {retrouvees} demandes retrouvées\n"
        f"archive_timeout {archive_timeout} s : {len(ids)}/{len(valides)} validations retrouvées, "
        f"RPO mesuré {rpo:.1f} s"
    )


if __name__ == "__main__":
    main()
