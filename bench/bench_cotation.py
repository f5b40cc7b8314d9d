"""Banc de la cotation : recalcul de tout le fichier, comparé à un UPDATE SQL nu, et calcul de nuit.

Sur la base de ``DATABASE_URL`` complétée jusqu'à N demandes actives
(``bench.commun.preparer_fichier``, qui installe aussi la grille de Nantes
Métropole et les événements d'instruction de démonstration) :

1. recalcul complet (``cotation.calcul.services.recalculer_fichier``) : un premier
   passage s'il manque des résultats, puis ``--repetitions`` passages mesurés
   (régime établi : chaque ligne est réécrite) ;
2. dans le même passage, l'``UPDATE`` nu qui écrit les mêmes lignes (toutes
   les colonnes écrites par le recalcul, en une instruction) : le rapport
   recalcul / UPDATE nu est la cible (≤ 3) ;
3. mémoire : chaque recalcul tourne dans un processus neuf dont on lit le pic
   (``ru_maxrss``) ; un recalcul d'un dixième du fichier donne le point de
   comparaison (mémoire constante en nombre de demandes) ;
4. calcul de nuit : ``calcul_de_nuit`` à la date du jour puis à J+1 (delta
   seul : échéances atteintes, labels du jour), avec le nombre de demandes relues.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fdls_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m bench.bench_cotation --demandes 1000000 --repetitions 3
"""

import argparse
import json
import subprocess
import sys
import time


def _interne(etape: str, depuis: int) -> None:
    import resource

    from bench.commun import nom_base  # noqa: F401  (django.setup)
    from cotation import traitements
    from cotation.calcul import services

    debut = time.perf_counter()
    if etape == "recalcul":
        bilan = services.recalculer_fichier(depuis=depuis)
        resultat = {
            "demandes": bilan.demandes,
            "resultats": bilan.resultats,
            "changees": bilan.changees,
            "sans_grille": bilan.sans_grille,
        }
    else:
        import datetime

        from django.utils import timezone

        le = timezone.localdate() + datetime.timedelta(days=depuis)
        bilan = traitements.calcul_de_nuit(le=le)
        resultat = {"demandes": bilan.demandes, "changees": bilan.changees}
    resultat["duree_s"] = round(time.perf_counter() - debut, 2)
    resultat["pic_memoire_mo"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print("RESULTAT " + json.dumps(resultat))


def _lancer(etape: str, depuis: int = 0) -> dict:
    sortie = subprocess.run(
        [sys.executable, "-m", "bench.bench_cotation", "--interne", etape, "--depuis", str(depuis)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ligne = next(lg for lg in sortie.splitlines() if lg.startswith("RESULTAT "))
    return json.loads(ligne.removeprefix("RESULTAT "))


def _update_nu() -> float:
    from django.db import connection, transaction

    debut = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "UPDATE cotation_resultatcotation SET grille_id = grille_id, total = total, lignes = lignes, "
            "calcule_le = now(), prochaine_echeance = prochaine_echeance, commune_id = commune_id, "
            "typologie = typologie"
        )
    return time.perf_counter() - debut


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demandes", type=int, default=1_000_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--interne", choices=["recalcul", "nuit"], help=argparse.SUPPRESS)
    parser.add_argument("--depuis", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.interne:
        _interne(args.interne, args.depuis)
        return

    from bench.commun import nom_base, preparer_fichier

    duree = preparer_fichier(args.demandes)
    print(f"Base {nom_base()} prête en {duree:.0f} s (démonstration, grille, premier calcul s'il manquait).")
    from django.db import connection

    from demo.cotation_sql import historique_demo

    historique_demo()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM demandes_demande WHERE etat = 'active'")
        actives = cur.fetchone()[0]
        cur.execute("SELECT count(DISTINCT demande_id) FROM cotation_resultatcotation")
        cotees = cur.fetchone()[0]
    if cotees < actives:
        premier = _lancer("recalcul")
        print(f"Premier calcul (insertion) : {premier}")
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE cotation_resultatcotation")
    mesures = []
    for i in range(args.repetitions):
        recalcul = _lancer("recalcul")
        with connection.cursor() as cur:
            cur.execute("VACUUM cotation_resultatcotation")
        nu = _update_nu()
        with connection.cursor() as cur:
            cur.execute("VACUUM cotation_resultatcotation")
        rapport = recalcul["duree_s"] / nu
        mesures.append((recalcul, nu, rapport))
        print(
            f"passage {i + 1} : recalcul {recalcul['duree_s']:.1f} s ({recalcul['demandes']} demandes, "
            f"{recalcul['resultats']} résultats (demande × territoire), "
            f"{recalcul['changees']} totaux changés, pic {recalcul['pic_memoire_mo']} Mo) ; "
            f"UPDATE nu {nu:.1f} s ; rapport {rapport:.2f}"
        )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id FROM demandes_demande WHERE etat = 'active' ORDER BY id OFFSET %s LIMIT 1", [actives * 9 // 10]
        )
        depuis = cur.fetchone()[0]
    dixieme = _lancer("recalcul", depuis)
    print(f"un dixième du fichier : {dixieme['demandes']} demandes, pic mémoire {dixieme['pic_memoire_mo']} Mo")
    for jour in (0, 1):
        nuit = _lancer("nuit", jour)
        print(f"calcul de nuit à J+{jour} : {nuit}")
    durees = sorted(m[0]["duree_s"] for m in mesures)
    rapports = sorted(m[2] for m in mesures)
    print(
        f"MÉDIANES : recalcul {durees[len(durees) // 2]:.1f} s pour {actives} demandes actives ; "
        f"rapport au SQL nu {rapports[len(rapports) // 2]:.2f}"
    )


if __name__ == "__main__":
    main()
