"""Banc de conformité de l'API : schemathesis contre le schéma OpenAPI (drf-spectacular), avec un vrai jeton.

Prépare une petite démonstration dans la base de ``DATABASE_URL`` (une base de banc, jamais une base de
travail), crée un jeton « écriture » pour l'agent de guichet de la démonstration, lance gunicorn sur un port
libre avec le débit de l'API relevé pour la durée du banc (``FDLS_API_DEBIT_AGENT``, ``FDLS_API_DEBIT_ANONYME``),
puis ``schemathesis run`` (tous les contrôles, phases examples, coverage, fuzzing, stateful) ; le rapport JSON
et JUnit est écrit sous ``var/schemathesis/``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fdls_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m bench.bench_schemathesis --exemples 20

Les figures sont reportées dans docs/benchmarks.md à la main, avec la commande.
"""

import argparse
import io
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fdls.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.serveur import attendre, port_libre  # noqa: E402
from fdls.comptes import services as comptes  # noqa: E402
from fdls.comptes.models import JetonApi, Utilisateur  # noqa: E402

RACINE = Path(settings.BASE_DIR)
RAPPORTS = RACINE / "var" / "schemathesis"


def preparer() -> str:
    call_command("migrate", verbosity=0)
    if not Utilisateur.objects.filter(email="guichet@demo.fdls.fr").exists():
        call_command(
            "demo", demandes=200, graine=7, part_doublons=0.0, demandes_en_ligne=3, logements=40, stdout=io.StringIO()
        )
    agent = Utilisateur.objects.get(email="guichet@demo.fdls.fr")
    _jeton, cle = comptes.creer_jeton(agent=agent, nom="schemathesis", portee=JetonApi.Portee.ECRITURE)
    return cle


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exemples", type=int, default=20, help="exemples par opération (--max-examples)")
    parser.add_argument("--graine", type=int, default=1)
    parser.add_argument("--duree-max", type=int, default=900, help="budget de temps (s)")
    args = parser.parse_args()

    cle = preparer()
    port = port_libre()
    env = {
        **os.environ,
        "FDLS_ENV": "test",
        "DJANGO_DEBUG": "false",
        # Débit relevé pour le banc seulement : sans cela, la limite par agent (5000/h) arrête le banc.
        "FDLS_API_DEBIT_AGENT": "1000000/hour",
        "FDLS_API_DEBIT_ANONYME": "1000000/hour",
    }
    serveur = subprocess.Popen(
        [str(RACINE / ".venv/bin/gunicorn"), "fdls.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=RACINE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(RACINE / "var" / "schemathesis-gunicorn.log", "w"),  # noqa: SIM115
    )
    try:
        url = f"http://127.0.0.1:{port}"
        attendre(url)
        RAPPORTS.mkdir(parents=True, exist_ok=True)
        debut = time.perf_counter()
        resultat = subprocess.run(
            [
                str(RACINE / ".venv/bin/schemathesis"),
                "run",
                f"{url}/api/v1/schema/",
                "--header",
                f"Authorization: Token {cle}",
                "--checks",
                "all",
                "--max-examples",
                str(args.exemples),
                "--seed",
                str(args.graine),
                "--max-time",
                str(args.duree_max),
                "--workers",
                "2",
                "--report",
                "junit,ndjson",
                "--report-dir",
                str(RAPPORTS),
                "--no-color",
            ],
            cwd=RACINE,
            capture_output=True,
            text=True,
            check=False,
        )
        duree = time.perf_counter() - debut
        (RAPPORTS / "sortie.txt").write_text(resultat.stdout + resultat.stderr, encoding="utf-8")
        print(resultat.stdout[-6000:])
        print(f"Durée : {duree:.0f} s ; code de sortie {resultat.returncode} ; rapport : {RAPPORTS}")
        return resultat.returncode
    finally:
        serveur.terminate()
        serveur.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
