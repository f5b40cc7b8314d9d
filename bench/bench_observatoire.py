"""Banc de l'observatoire : photo mensuelle, tableau croisé (et SQL nu), pages des tableaux standard, compteurs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fdls_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python -m bench.bench_observatoire --demandes 1000000 --repetitions 20

Sur une base de banc déjà remplie (``manage.py demo --demandes N`` : ``preparer_fichier`` ne regénère rien si
elle a déjà N demandes actives). Le banc n'écrit que dans les tables de l'observatoire : une photo nouvelle
(le premier mois sans photo, en remontant depuis le mois courant : une photo ne se réécrit pas), un jour de
compteurs. Les pages sont mesurées par ``RequestFactory`` (vue, sélecteurs et gabarit ; ni session ni journal
écrits). Cibles (quality.md, issue 22) : photo ≤ 60 s à 3 M ; tableau croisé ≤ 2 s et ≤ 2 × le SQL nu ;
page d'un tableau standard p95 ≤ 300 ms ; compteurs ≤ 100 ms.
"""

import argparse
import time
from datetime import date, timedelta

from django.db import connection
from django.test import RequestFactory

from bench.commun import centiles, chronometrer, nom_base, preparer_fichier
from fdls.comptes.models import Utilisateur
from fdls.socle.dates import ajouter_mois
from observatoire.compteurs.selectors import compteurs_accueil
from observatoire.compteurs.services import compter_jour
from observatoire.croisement.dimensions import SOURCES
from observatoire.croisement.tableau import croiser, par_cube, requete
from observatoire.photos.models import Photo
from observatoire.photos.services import photographier_fichier
from observatoire.pivot.services import grille_pivot
from observatoire.tableaux import views as vues_tableaux
from observatoire.tableaux.selectors import TABLEAUX

NANTES_METROPOLE = "244400404"
PIVOTS = [
    ("demandes : commune × typologie, filtre EPCI", "demandes", "commune", "typologie", {"epci": NANTES_METROPOLE}),
    (
        "demandes : ancienneté × catégorie de ménage, filtre mutations",
        "demandes",
        "tranche_anciennete",
        "categorie_menage",
        {"mutation": True},
    ),
    ("attributions : bailleur × typologie, filtre année", "attributions", "bailleur", "typologie", None),
    # Hors des cubes : lu sur les lignes de la photo (toutes, ou celles d'un EPCI par l'index BRIN).
    ("demandes (lignes) : composition × logement actuel", "demandes", "nature", "statut_occupation", None),
    (
        "demandes (lignes) : organisme × typologie, filtre EPCI",
        "demandes",
        "organisme",
        "typologie",
        {"epci": NANTES_METROPOLE},
    ),
]


def nouvelle_photo(mois: date | None = None) -> tuple[Photo, float]:
    """La photo de ``mois``, ou du premier mois sans photo (mois courant, puis en remontant) ; sa durée en
    secondes, et celle de chaque instruction."""
    if mois is None:
        mois = date.today().replace(day=1)
        while Photo.objects.filter(mois=mois).exists():
            mois = ajouter_mois(mois, -1)
    precedente = Photo.objects.filter(mois__lt=mois).order_by("-mois").first()
    print(
        f"Photo du {mois:%d/%m/%Y}, " + (f"après celle du {precedente.mois:%d/%m/%Y}" if precedente else "la première")
    )
    debut = time.perf_counter()
    resultat = photographier_fichier(mois, mesure=lambda nom, s: print(f"  {nom} : {s:.1f} s"))
    return resultat.photo, time.perf_counter() - debut


def sql_nu(qs) -> float:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as curseur:
        debut = time.perf_counter()
        curseur.execute(sql, params)
        curseur.fetchall()
        return (time.perf_counter() - debut) * 1000


def _requete_nue(photo, source, ligne, colonne, filtres, *, cube: bool):
    s = SOURCES[source]
    champs = (s.dimensions[ligne].champ, s.dimensions[colonne].champ)
    if cube:
        return requete(s, photo, filtres, modele=s.cube).values(*champs).annotate(somme=s.mesures_cube["nombre"].somme)
    return requete(s, photo, filtres).values(*champs).annotate(somme=s.mesures["nombre"].somme)


def banc_pivots(photo, repetitions: int) -> None:
    print(
        "\n| tableau croisé | service (médiane / p95) | SQL nu de la même requête (médiane / p95) | rapport "
        "| SQL nu sur les lignes, sans cube (médiane / p95) |"
    )
    print("|---|---|---|---|---|")
    for libelle, source, ligne, colonne, filtres in PIVOTS:
        if source == "attributions":
            filtres = {"annee": photo.mois.year - 1}
        parametres = {"source": source, "lignes": ligne, "colonnes": colonne, "mesure": "nombre", "filtres": filtres}
        cube = par_cube(SOURCES[source], {ligne, colonne, *(filtres or {})}, "nombre")
        meme = _requete_nue(photo, source, ligne, colonne, filtres, cube=cube)
        lignes = _requete_nue(photo, source, ligne, colonne, filtres, cube=False)
        grille_pivot(photo, parametres)  # chauffe
        service = [chronometrer(lambda p=parametres: grille_pivot(photo, p))[0] for _ in range(repetitions)]
        nu = [sql_nu(meme) for _ in range(repetitions)]
        detail = [sql_nu(lignes) for _ in range(repetitions)]
        s, n, d = centiles(service), centiles(nu), centiles(detail)
        print(
            f"| {libelle} | {s[0]:.0f} / {s[1]:.0f} ms | {n[0]:.0f} / {n[1]:.0f} ms | {s[0] / n[0]:.2f} "
            f"| {d[0]:.0f} / {d[1]:.0f} ms |"
        )


def banc_pages(photo, repetitions: int) -> None:
    usine = RequestFactory()
    observateur = Utilisateur.objects.filter(roles__contains=["observateur"], is_active=True).first()
    print(f"\n| page (photo {photo.mois:%m/%Y}, territoire) | médiane | p95 | max |")
    print("|---|---|---|---|")
    for params, territoire in (
        ({}, "tout le fichier"),
        ({"epci": NANTES_METROPOLE}, "Nantes Métropole"),
        ({"epci": NANTES_METROPOLE, "commune": "44109"}, "Nantes"),
    ):
        for code in [*TABLEAUX, "indicateurs"]:

            def appel(code=code, params=params):
                requete_http = usine.get("/", {"photo": photo.pk, **params})
                requete_http.user = observateur
                requete_http.htmx = False
                if code == "indicateurs":
                    reponse = vues_tableaux.indicateurs_legaux(requete_http)
                else:
                    reponse = vues_tableaux.tableau(requete_http, code)
                assert reponse.status_code == 200, (code, reponse.status_code)

            appel()
            durees = [chronometrer(appel)[0] for _ in range(repetitions)]
            m, p95, mx = centiles(durees)
            print(f"| {code} ({territoire}) | {m:.0f} ms | {p95:.0f} ms | {mx:.0f} ms |")


def banc_compteurs(repetitions: int) -> None:
    hier = date.today() - timedelta(days=1)
    duree, lignes = chronometrer(lambda: compter_jour(hier))
    print(f"\nCompteurs d'activité : job d'un jour ({hier:%d/%m/%Y}) {duree / 1000:.2f} s, {lignes} lignes.")
    observateur = Utilisateur.objects.filter(roles__contains=["observateur"], is_active=True).first()
    durees = [chronometrer(lambda: compteurs_accueil(observateur))[0] for _ in range(repetitions)]
    m, p95, mx = centiles(durees)
    print(f"Carte « Activité » de l'accueil : médiane {m:.1f} ms, p95 {p95:.1f} ms, max {mx:.1f} ms.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demandes", type=int, default=1_000_000)
    parser.add_argument("--repetitions", type=int, default=20)
    parser.add_argument("--photo", help="Mesurer sur la photo de ce mois (AAAA-MM), sans en prendre une nouvelle.")
    parser.add_argument("--prendre", help="Prendre la photo de ce mois (AAAA-MM) au lieu du premier mois sans photo.")
    parser.add_argument("--pivots-seuls", action="store_true", help="Ne mesurer que les tableaux croisés.")
    args = parser.parse_args()
    print(f"Base {nom_base()} ; préparation {preparer_fichier(args.demandes):.1f} s.")
    if args.photo:
        photo = Photo.objects.get(mois=date.fromisoformat(f"{args.photo}-01"))
    else:
        photo, duree = nouvelle_photo(date.fromisoformat(f"{args.prendre}-01") if args.prendre else None)
        print(
            f"Photo du {photo.mois:%d/%m/%Y} : {duree:.1f} s ({photo.nb_demandes} demandes en cours, "
            f"{photo.nb_attributions} attributions, {photo.nb_logements} logements)."
        )
    croiser("demandes", photo, ligne="typologie")  # cache de la table
    banc_pivots(photo, args.repetitions)
    if args.pivots_seuls:
        return
    banc_pages(photo, args.repetitions)
    banc_compteurs(args.repetitions)


if __name__ == "__main__":
    main()
