"""Banc de la politique d'accès : filtrer le fichier selon le territoire.

Génère N demandes (1 à 3 localisations, communes de Loire-Atlantique pondérées
par la population) par COPY, puis mesure pour trois agents (commune, EPCI,
département) : le nombre de demandes visibles et la première page de 50.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fdls_bench \
        .venv/bin/python -m bench.bench_acces --demandes 50000

La base visée est vidée de ses demandes puis remplie : n'utilisez pas une base
de travail. Les figures sont écrites dans docs/benchmarks.md à la main, avec la
commande.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fdls.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from demandes.models import Demande  # noqa: E402
from fdls.comptes.models import Utilisateur  # noqa: E402
from fdls.organismes.models import Guichet  # noqa: E402
from fdls.territoires.models import Commune  # noqa: E402


def generer(n: int, graine: int = 44) -> None:
    aleatoire = random.Random(graine)
    communes = list(Commune.objects.filter(departement_id="44").values_list("code_insee", "population"))
    codes = [c for c, _ in communes]
    poids = [max(p, 1) for _, p in communes]
    guichets = list(Guichet.objects.values_list("pk", "code"))
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE demandes_localisationsouhaitee, demandes_demande RESTART IDENTITY CASCADE")
    demandes, localisations = io.StringIO(), io.StringIO()
    debut = date(2019, 1, 1)
    for i in range(1, n + 1):
        guichet_id, code = aleatoire.choice(guichets)
        depot = debut + timedelta(days=aleatoire.randrange(0, 2500))
        naissance = date(1940, 1, 1) + timedelta(days=aleatoire.randrange(0, 25000))
        nu = f"044{depot:%m%y}{i % 1_000_000:06d}{code}"
        demandes.write(
            f"{i}\t{nu}\tactive\t{guichet_id}\t44\t\\N\t{depot}\tNOM{i}\tPrenom\t{naissance}\t2026-01-01\t2026-01-01\n"
        )
        for rang, commune in enumerate(dict.fromkeys(aleatoire.choices(codes, poids, k=aleatoire.randint(1, 3))), 1):
            localisations.write(f"{i}\t{rang}\t{commune}\t\\N\t{depot}\n")
    demandes.seek(0)
    localisations.seek(0)
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY demandes_demande (id, numero_unique, etat, guichet_id, departement_id, compte_demandeur_id, "
            "date_depot, nom, prenom, date_naissance, created_at, updated_at) FROM STDIN"
        ) as copie:
            copie.write(demandes.getvalue())
        with cursor.copy(
            "COPY demandes_localisationsouhaitee (demande_id, rang, commune_id, quartier_id, date_anciennete) "
            "FROM STDIN"
        ) as copie:
            copie.write(localisations.getvalue())
        cursor.execute("SELECT setval('demandes_demande_id_seq', %s)", [n])
        cursor.execute("ANALYZE demandes_demande")
        cursor.execute("ANALYZE demandes_localisationsouhaitee")


def mesurer(fonction, repetitions: int) -> tuple[float, float]:
    durees = []
    for _ in range(repetitions):
        debut = time.perf_counter()
        fonction()
        durees.append((time.perf_counter() - debut) * 1000)
    durees.sort()
    return statistics.median(durees), durees[int(len(durees) * 0.95) - 1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demandes", type=int, default=50_000)
    parser.add_argument("--repetitions", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0, stdout=io.StringIO())
    debut = time.perf_counter()
    generer(args.demandes)
    print(f"Génération de {args.demandes} demandes : {time.perf_counter() - debut:.1f} s")
    for email in ["commune@demo.fdls.fr", "guichet@demo.fdls.fr", "bailleur@demo.fdls.fr"]:
        agent = Utilisateur.objects.select_related("organisme").get(email=email)
        visibles = Demande.objects.visibles_par(agent)
        nombre = visibles.count()
        m_count, p95_count = mesurer(lambda v=visibles: v.count(), args.repetitions)
        m_page, p95_page = mesurer(
            lambda v=visibles: list(v.order_by("-date_depot", "-id")[:50].values_list("pk", flat=True)),
            args.repetitions,
        )
        print(
            f"{agent.organisme.nom:<40} {nombre:>9} visibles | count médiane {m_count:7.1f} ms p95 {p95_count:7.1f} ms"
            f" | page de 50 médiane {m_page:6.1f} ms p95 {p95_page:6.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
