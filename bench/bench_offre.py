"""Banc de l'offre : import d'un fichier de 100 000 logements, puis liste
filtrée du parc à 3 millions de logements.

    createdb -h 127.0.0.1 -U postgres fdls_bench_offre
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fdls_bench_offre REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m bench.bench_offre --import 100000 --logements 3000000 --repetitions 20

La base visée est vidée de son parc puis remplie : n'utilisez jamais une base
de travail. Cibles (docs/shared quality.md, issue 7) : import de 100 000
logements en 2 minutes au plus ; page de liste filtrée p95 ≤ 300 ms et
≤ 20 requêtes SQL à 3 000 000 de logements. Les chiffres sont recopiés dans
docs/benchmarks.md avec la commande.
"""

import argparse
import io
import os
import random
import re
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fdls.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from demo import offre as demo  # noqa: E402
from demo import partenaires as demo_socle  # noqa: E402
from fdls.comptes.models import Utilisateur  # noqa: E402
from fdls.organismes.models import Organisme  # noqa: E402
from fdls.territoires.models import Commune, Quartier  # noqa: E402
from offre.importation.analyse import COLONNES  # noqa: E402
from offre.importation.services import importer_logements  # noqa: E402

TYPOS = ["chambre", "T1", "T2", "T3", "T4", "T5", "T6"]
POIDS_TYPOS = [1, 10, 30, 32, 20, 6, 1]


def vider_parc() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE offre_disponibiliteevenement, offre_disponibilite, offre_logement, offre_programme, "
            "offre_importlogements RESTART IDENTITY CASCADE"
        )


def fichier_import(n: int, graine: int = 7) -> bytes:
    """CSV de ``n`` logements réalistes (communes de Loire-Atlantique, programmes de 40 logements)."""
    rng = random.Random(graine)
    communes = list(Commune.objects.filter(departement_id="44").values_list("code_insee", flat=True))
    sortie = io.StringIO()
    sortie.write(";".join(c.nom for c in COLONNES) + "\n")
    programme = None
    for i in range(n):
        if i % 40 == 0:
            programme = (f"B{i // 40:05d}", f"RESIDENCE {i // 40}", rng.choice(communes), rng.randint(1960, 2024))
        typo = rng.choices(TYPOS, POIDS_TYPOS)[0]
        surface = {"chambre": 14, "T1": 30, "T2": 48, "T3": 66, "T4": 80, "T5": 95, "T6": 110}[typo] * rng.uniform(
            0.9, 1.1
        )
        financement = rng.choice(["PLAI", "PLUS", "PLUS", "PLS"])
        loyer = surface * {"PLAI": 5.4, "PLUS": 6.1, "PLS": 8.9}[financement]
        valeurs = {
            "code_programme": programme[0],
            "nom_programme": programme[1],
            "adresse": f"{i // 40 % 90 + 1} rue de la Paix",
            "code_insee": programme[2],
            "annee_construction": programme[3],
            "code_logement": f"{i % 40 + 1:04d}",
            "typologie": typo,
            "categorie": "appartement",
            "surface": f"{surface:.1f}".replace(".", ","),
            "etage": str(rng.randint(0, 6)),
            "ascenseur": rng.choice(["oui", "non"]),
            "accessibilite": rng.choice(["", "", "", "1", "2"]),
            "loyer": f"{loyer:.2f}".replace(".", ","),
            "charges": f"{surface * 1.3:.2f}".replace(".", ","),
            "financement": financement,
            "reservataire": rng.choice(["", "DDETS 44", "ALS", ""]),
            "dpe": rng.choice("BCDDE"),
            "loyer_accessible": rng.choice(["oui", "non"]),
            "labels": "ASV" if rng.random() < 0.02 else "",
        }
        sortie.write(";".join(str(valeurs.get(c.nom, "")) for c in COLONNES) + "\n")
    return sortie.getvalue().encode()


def xlsx_de_csv(contenu: bytes) -> bytes:
    import openpyxl

    classeur = openpyxl.Workbook(write_only=True)
    feuille = classeur.create_sheet()
    for ligne in contenu.decode().splitlines():
        feuille.append(ligne.split(";"))
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def mesurer_import(agent, n: int, xlsx: bool) -> list[str]:
    lignes = []
    contenu = fichier_import(n)
    formats = [("csv", contenu)]
    if xlsx:
        formats.append(("xlsx", xlsx_de_csv(contenu)))
    for format_, donnees in formats:
        vider_parc()
        for passage in ("création", "ré-import (mise à jour)"):
            debut = time.perf_counter()
            import_ = importer_logements(
                auteur=agent, fichier=SimpleUploadedFile(f"parc.{format_}", donnees), nom_fichier=f"parc.{format_}"
            )
            duree = time.perf_counter() - debut
            assert import_.etat == "importe", import_.erreurs[:3]
            lignes.append(
                f"import {format_.upper()} {n} lignes, {passage} : {duree:.1f} s "
                f"({import_.nb_crees} créés, {import_.nb_modifies} mis à jour, {len(donnees) / 2**20:.1f} Mo)"
            )
            print(lignes[-1], flush=True)
    vider_parc()
    return lignes


def generer_parc(n: int) -> float:
    """``n`` logements sur les 2 430 communes (pondérées par la population), par COPY direct."""
    debut = time.perf_counter()
    vider_parc()
    contexte = demo.contexte_generation(epci=None)
    generateur = demo.Generateur(**contexte)
    plans = generateur.planifier(n)
    ids = demo.creer_programmes(plans)
    crees = demo.copier_logements(generateur, plans, ids, direct=True)
    del crees
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM offre_logement WHERE id % 100 = 7")
        echantillon = [row[0] for row in cursor.fetchall()]
    demo.creer_vacances(echantillon, part=1.0)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE offre_logement")
        cursor.execute("VACUUM ANALYZE offre_programme")
        cursor.execute("VACUUM ANALYZE offre_disponibilite")
    return time.perf_counter() - debut


def client_de(email: str) -> Client:
    agent = Utilisateur.objects.get(email=email)
    client = Client()
    client.force_login(agent)
    session = client.session
    session["otp_device_id"] = agent.totpdevice_set.first().persistent_id
    session.save()
    return client


def scenarios() -> list[tuple[str, dict]]:
    als = Organisme.objects.get(nom="Action Logement Services").pk
    nmh = Organisme.objects.get(nom="Nantes Métropole Habitat").pk
    malakoff = Quartier.objects.get(nom="Malakoff").pk
    return [
        ("sans filtre", {}),
        ("commune Nantes", {"commune": "44109"}),
        ("commune Rezé + T3", {"commune": "Rezé", "typologie": "T3"}),
        ("QPV", {"qpv": "oui"}),
        ("quartier Malakoff", {"quartier": malakoff}),
        ("T4 + PLAI", {"typologie": "T4", "financement": "PLAI"}),
        ("T6 + PLI (rare)", {"typologie": "T6", "financement": "PLI"}),
        ("réservataire ALS", {"reservataire": als}),
        ("vacants à pourvoir", {"vacance": "a_pourvoir"}),
        ("bailleur NMH", {"bailleur": nmh}),
        ("programme « Kallima »", {"programme": "Kallima"}),
        ("maisons + T5 + page 20", {"categorie": "maison", "typologie": "T5", "page": 20}),
    ]


def mesurer_liste(repetitions: int) -> list[str]:
    lignes = []
    tous = []
    agents = [
        ("bailleur@demo.fdls.fr", "NMH (département 44 + son parc)"),
        ("commune@demo.fdls.fr", "Ville de Rezé (1 commune)"),
        ("guichet@demo.fdls.fr", "ADIL 44 (24 communes)"),
        ("admin@demo.fdls.fr", "CREHA Ouest (9 départements)"),
    ]
    for email, libelle in agents:
        client = client_de(email)
        for nom, parametres in scenarios():
            durees = []
            for _ in range(repetitions):
                reset_queries()
                with CaptureQueriesContext(connection) as requetes:
                    debut = time.perf_counter()
                    reponse = client.get("/offre/logements/", parametres)
                    durees.append((time.perf_counter() - debut) * 1000)
                assert reponse.status_code == 200, reponse.status_code
            durees.sort()
            p95 = durees[max(int(len(durees) * 0.95) - 1, 0)]
            tous.extend(durees)
            legende = re.search(r"<caption>Logements – ([^<]*) résultat", reponse.content.decode())
            resultat = legende.group(1).replace("\u202f", " ").replace("plus de", ">") if legende else "0"
            lignes.append(
                f"| {libelle} | {nom} | {resultat} | {statistics.median(durees):.0f} | {p95:.0f} | {len(requetes)} |"
            )
            print(lignes[-1], flush=True)
    tous.sort()
    lignes.append(f"p95 sur toutes les pages : {tous[int(len(tous) * 0.95) - 1]:.0f} ms ({len(tous)} pages)")
    print(lignes[-1])
    return lignes


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--import", dest="import_", type=int, default=100_000, help="lignes du fichier importé")
    parser.add_argument("--sans-xlsx", action="store_true", help="ne mesurer que l'import CSV")
    parser.add_argument("--logements", type=int, default=3_000_000, help="taille du parc de la liste (0 : import seul)")
    parser.add_argument("--repetitions", type=int, default=20)
    parser.add_argument(
        "--garder-parc", action="store_true", help="mesurer la liste sur le parc déjà chargé (sans import)"
    )
    args = parser.parse_args()
    nom_base = settings.DATABASES["default"]["NAME"]
    if not nom_base.startswith("fdls_bench"):
        print(f"Refus : la base « {nom_base} » n'est pas une base de banc (fdls_bench…).")
        return 2
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    call_command("charger_referentiel", stdout=io.StringIO())
    demo_socle.charger_partenaires()
    if args.import_ and not args.garder_parc:  # l'import vide le parc : pas avec --garder-parc
        agent = Utilisateur.objects.get(email="bailleur@demo.fdls.fr")
        mesurer_import(agent, args.import_, xlsx=not args.sans_xlsx)
    if not args.logements:
        return 0
    if not args.garder_parc:
        duree = generer_parc(args.logements)
        print(f"Génération de {args.logements} logements (COPY) : {duree:.0f} s", flush=True)
    mesurer_liste(args.repetitions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
