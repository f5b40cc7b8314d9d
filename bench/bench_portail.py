"""Banc de charge du portail du demandeur : 100 demandeurs simulés (locust, boucle locale) contre gunicorn sur la
base de démonstration ; puis la limite des connexions d'un poste (429).

1. Prépare (processus à part : locust remplace les sockets par gevent) ``--utilisateurs`` comptes de demandeurs à
   l'adresse vérifiée, chacun rattaché à une demande active par le service du rattachement (idempotent) ; la
   démonstration doit exister (``manage.py demo``), sinon une petite est construite.
2. Lance gunicorn (``--workers`` × ``--threads``, gthread) avec ``FDLS_PROXY_COUNT=1`` (un proxy de confiance :
   chaque demandeur simulé a son adresse IP par ``X-Forwarded-For``).
3. ``locust --headless`` : ``--utilisateurs`` demandeurs, ``--arrivees`` par seconde, ``--duree`` secondes ;
   scénario ``bench/locust_portail.py`` ; statistiques CSV sous ``var/bench_portail*``.
4. Limite par poste : des connexions répétées depuis une même adresse, jusqu'à la réponse 429.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fdls_portail REDIS_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python -m bench.bench_portail --utilisateurs 100 --duree 90

Cibles (docs/quality.md) : p95 ≤ 300 ms sur les pages de l'espace, 0 erreur, connexion ≤ 1,5 s sous charge, 429
au-delà de la limite. Les figures sont reportées dans docs/benchmarks.md à la main, avec la commande.
"""

import argparse
import csv
import http.cookiejar
import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench.serveur import attendre, port_libre

RACINE = Path(__file__).resolve().parent.parent
COMPTES = RACINE / "var" / "bench_portail_comptes.json"
CONNEXIONS = RACINE / "var" / "bench_portail_connexions.json"
MOT_DE_PASSE = "banc-portail-2026"


def preparer(nombre: int) -> None:
    """Comptes du banc (dans ce processus : Django, sans gevent)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fdls.settings")
    import io

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from demandes.models import Demande
    from fdls.comptes.models import Utilisateur
    from portail.rattachement import services as rattachement

    call_command("migrate", verbosity=0)
    if not Demande.objects.actives().exists():
        call_command("demo", demandes=1000, stdout=io.StringIO())
    comptes = []
    libres = Demande.objects.actives().filter(compte_demandeur__isnull=True).order_by("pk").iterator()
    for i in range(nombre):
        email = f"banc.demandeur{i:03d}@demo.fdls.fr"
        user = Utilisateur.objects.filter(email=email).first()
        if user is None:
            user = Utilisateur.objects.create_user(
                email, MOT_DE_PASSE, kind=Utilisateur.Kind.DEMANDEUR, email_verifie_le=timezone.now()
            )
        demande = Demande.objects.filter(compte_demandeur=user).first()
        if demande is None:
            fiche, code = rattachement.emettre_code(user=user, demande=next(libres), canal="courriel")
            demande = rattachement.confirmer_code(user=user, code=code)
        comptes.append({"email": email, "mot_de_passe": MOT_DE_PASSE, "demande": demande.pk})
    COMPTES.parent.mkdir(parents=True, exist_ok=True)
    COMPTES.write_text(json.dumps(comptes))
    print(f"Comptes : {len(comptes)} demandeurs rattachés à une demande active ({COMPTES}).")


def connexions_jusqu_a_429(url: str, ip: str, maximum: int) -> list[int]:
    """Connexions (adresse inconnue, donc refusées) d'un même poste : les statuts, jusqu'au premier 429.

    Chaque essai vise une adresse jamais essayée (tirée pour ce banc) : le verrouillage d'un compte après 5 échecs
    (django-axes, 429 aussi) ne se mêle pas de la mesure de la limite par poste."""
    banc = random.randrange(10**9)
    statuts = []
    for i in range(maximum):
        jar = http.cookiejar.CookieJar()
        ouvreur = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        entetes = {"X-Forwarded-For": ip}
        page = ouvreur.open(urllib.request.Request(f"{url}/portail/connexion/", headers=entetes)).read().decode()
        jeton = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        donnees = urllib.parse.urlencode(
            {"username": f"inconnu{banc}.{i}@exemple.fr", "password": "faux", "csrfmiddlewaretoken": jeton}
        ).encode()
        requete = urllib.request.Request(
            f"{url}/portail/connexion/", data=donnees, headers={**entetes, "Referer": f"{url}/portail/connexion/"}
        )
        try:
            statuts.append(ouvreur.open(requete).status)
        except urllib.error.HTTPError as erreur:
            statuts.append(erreur.code)
        if statuts[-1] == 429:
            break
    return statuts


def cpu_serveur(pid: int) -> float:
    """Temps CPU (s, utilisateur + système) de gunicorn et de ses workers."""
    import psutil

    racine = psutil.Process(pid)
    total = 0.0
    for processus in [racine, *racine.children(recursive=True)]:
        temps = processus.cpu_times()
        total += temps.user + temps.system + temps.children_user + temps.children_system
    return total


def cpu_postgres(base: str) -> float:
    """Temps CPU (s) des processus PostgreSQL connectés à ``base`` (connexions persistantes des workers)."""
    import psutil
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connexion:
        pids = [
            ligne[0]
            for ligne in connexion.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [base]
            )
        ]
    total = 0.0
    for pid in pids:
        try:
            temps = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += temps.user + temps.system
    return total


def lire_stats(prefixe: Path) -> list[dict]:
    with open(f"{prefixe}_stats.csv") as f:
        return list(csv.DictReader(f))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--utilisateurs", type=int, default=100)
    parser.add_argument("--arrivees", type=float, default=2, help="demandeurs qui arrivent par seconde")
    parser.add_argument("--duree", type=int, default=90, help="durée de la charge (s)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--preparer-seulement", action="store_true")
    args = parser.parse_args()

    subprocess.run(
        [sys.executable, "-c", f"from bench.bench_portail import preparer; preparer({args.utilisateurs})"],
        cwd=RACINE,
        check=True,
    )
    if args.preparer_seulement:
        return 0
    port = port_libre()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "FDLS_ENV": "test", "DJANGO_DEBUG": "false", "FDLS_PROXY_COUNT": "1"}
    journal = open(RACINE / "var" / "bench_portail_gunicorn.log", "w")  # noqa: SIM115
    serveur = subprocess.Popen(
        [
            str(RACINE / ".venv/bin/gunicorn"),
            "fdls.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--worker-class",
            "gthread",
            # Connexions gardées plus longtemps que le temps de lecture d'une page (2 à 6 s) : sinon le serveur
            # ferme une connexion que le client réutilise au même instant (erreur « 0 » côté locust).
            "--keep-alive",
            "30",
        ],
        cwd=RACINE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=journal,
    )
    try:
        attendre(url)
        base = urllib.parse.urlparse(os.environ["DATABASE_URL"]).path.lstrip("/")
        cpu_avant = cpu_serveur(serveur.pid)
        debut = time.perf_counter()
        prefixe = RACINE / "var" / "bench_portail"
        subprocess.run(
            [
                str(RACINE / ".venv/bin/locust"),
                "-f",
                str(RACINE / "bench" / "locust_portail.py"),
                "--headless",
                "--host",
                url,
                "-u",
                str(args.utilisateurs),
                "-r",
                str(args.arrivees),
                "-t",
                f"{args.duree}s",
                "--csv",
                str(prefixe),
                "--only-summary",
                "--reset-stats",
                "--loglevel",
                "WARNING",
            ],
            cwd=RACINE,
            env={**os.environ, "FDLS_BANC_COMPTES": str(COMPTES), "FDLS_BANC_CONNEXIONS": str(CONNEXIONS)},
            check=False,
        )
        duree = time.perf_counter() - debut
        cpu_django = cpu_serveur(serveur.pid) - cpu_avant
        cpu_pg = cpu_postgres(base)
        lignes = lire_stats(prefixe)
        print(f"\n{'requête':<26} {'n':>6} {'échecs':>6} {'médiane':>8} {'p95':>6} {'p99':>6} {'max':>6}  (ms)")
        for ligne in lignes:
            print(
                f"{ligne['Name']:<26} {ligne['Request Count']:>6} {ligne['Failure Count']:>6} "
                f"{ligne['50%']:>8} {ligne['95%']:>6} {ligne['99%']:>6} {float(ligne['Max Response Time']):>6.0f}"
            )
        pages = [ligne for ligne in lignes if ligne["Name"] not in ("connexion", "connexion (page)", "Aggregated")]
        total = next(ligne for ligne in lignes if ligne["Name"] == "Aggregated")
        p95_pages = max(float(ligne["95%"]) for ligne in pages)
        mesure = json.loads(CONNEXIONS.read_text())
        connexions, requetes = mesure["connexions"], mesure["requetes"]
        durees = sorted(d for d, _statut in connexions)
        p95_connexion = durees[min(len(durees) - 1, int(0.95 * len(durees)))]
        refusees = sum(1 for _d, statut in connexions if statut != 302)
        print(
            f"\nConnexions pendant les arrivées : {len(durees)}, médiane {durees[len(durees) // 2]:.0f} ms, "
            f"p95 {p95_connexion:.0f} ms, max {durees[-1]:.0f} ms, refusées {refusees}"
        )

        cpu_connexions = 0.4 * len(connexions)  # Argon2 (m = 100 Mo, t = 2, p = 8) ≈ 0,2 à 0,4 s chacune ici
        print(
            f"Serveur : {duree:.0f} s, {requetes} requêtes, CPU Django {cpu_django:.1f} s "
            f"({1000 * cpu_django / requetes:.0f} ms par requête, connexions comprises ; hors connexions ≈ "
            f"{1000 * max(cpu_django - cpu_connexions, 0) / max(requetes - 2 * len(connexions), 1):.0f} ms), "
            f"CPU PostgreSQL ≥ {cpu_pg:.1f} s (connexions encore ouvertes) ; "
            f"charge de la machine {os.getloadavg()[0]:.1f} pour {os.cpu_count()} cœurs"
        )

        limite = int(os.environ.get("FDLS_PORTAIL_CONNEXIONS_MAX_PAR_IP", 30))
        # Un poste neuf à chaque banc : le compteur de la fenêtre (cache en base) survit à un banc précédent.
        poste = f"10.250.{random.randrange(250)}.{random.randrange(1, 250)}"
        statuts = connexions_jusqu_a_429(url, poste, limite + 5)
        print(
            f"\nLimite par poste : {statuts.count(200)} connexions refusées (200) puis "
            f"{'429 à la ' + str(len(statuts)) + 'e' if statuts[-1] == 429 else 'pas de 429'}"
        )
        autre = connexions_jusqu_a_429(url, f"10.251.{random.randrange(250)}.{random.randrange(1, 250)}", 1)
        print(f"Un autre poste juste après : {autre[0]}")
        ok = (
            p95_pages <= 300
            and int(total["Failure Count"]) == 0
            and refusees == 0
            and p95_connexion <= 1500
            and statuts[-1] == 429
            and autre[0] == 200
        )
        print(
            f"\nBilan : p95 des pages {p95_pages:.0f} ms (≤ 300), échecs {total['Failure Count']} (0), connexion p95 "
            f"{p95_connexion:.0f} ms (≤ 1 500), débit {float(total['Requests/s']):.1f} req/s → "
            f"{'cibles tenues' if ok else 'CIBLE MANQUÉE'}"
        )
        return 0 if ok else 1
    finally:
        serveur.terminate()
        serveur.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
