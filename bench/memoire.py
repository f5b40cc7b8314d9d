"""Mémoire d'une commande et de tous ses processus (principal et processus de travail).

``/usr/bin/time -v`` ne donne que le maximum d'un seul processus ; les lots du
générateur sont fabriqués par des processus de travail, dont la mémoire
s'ajoute à celle du principal. Ce banc lance la commande, échantillonne
l'arbre de ses processus (psutil) et rend la durée, le pic de la somme des
RSS (les pages partagées après le fork y comptent une fois par processus :
majorant), le pic de la somme des PSS (pages partagées réparties), le plus
gros processus et la charge de la machine au début et à la fin.

    .venv/bin/python -m bench.memoire [--intervalle 0.25] [--trace fichier.tsv] -- \
        .venv/bin/python manage.py demo --demandes 1000000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import psutil

MIO = 1024 * 1024


def _arbre(racine: psutil.Process) -> list[psutil.Process]:
    try:
        return [racine, *racine.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _somme(processus: list[psutil.Process], pss: bool) -> tuple[int, int, int]:
    """(somme des RSS, somme des PSS ou 0, plus gros RSS)."""
    total_rss = total_pss = plus_gros = 0
    for proc in processus:
        try:
            if pss:
                info = proc.memory_full_info()
                total_pss += info.pss
                rss = info.rss
            else:
                rss = proc.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        total_rss += rss
        plus_gros = max(plus_gros, rss)
    return total_rss, total_pss, plus_gros


def mesurer(commande: list[str], intervalle: float, trace: str | None) -> int:
    charge_debut = os.getloadavg()
    debut = time.perf_counter()
    enfant = subprocess.Popen(commande)
    racine = psutil.Process(enfant.pid)
    pic_rss = pic_pss = pic_processus = 0
    moment_pic = 0.0
    nb_max = 0
    charges = []
    sortie = open(trace, "w") if trace else None  # noqa: SIM115 — fermé en fin de mesure
    try:
        tour = 0
        while enfant.poll() is None:
            processus = _arbre(racine)
            avec_pss = tour % 8 == 0
            rss, pss, gros = _somme(processus, avec_pss)
            ecoule = time.perf_counter() - debut
            if rss > pic_rss:
                pic_rss, moment_pic = rss, ecoule
            pic_pss = max(pic_pss, pss)
            pic_processus = max(pic_processus, gros)
            nb_max = max(nb_max, len(processus))
            if tour % 40 == 0:
                charges.append(os.getloadavg()[0])
            if sortie:
                sortie.write(f"{ecoule:.1f}\t{len(processus)}\t{rss // MIO}\t{pss // MIO if avec_pss else ''}\n")
            tour += 1
            time.sleep(intervalle)
    finally:
        if sortie:
            sortie.close()
    duree = time.perf_counter() - debut
    charge_fin = os.getloadavg()
    moyenne_charge = sum(charges) / len(charges) if charges else charge_fin[0]
    print(
        f"\n[mémoire] durée {duree:.0f} s ({duree / 60:.1f} min) ; code {enfant.returncode}\n"
        f"[mémoire] pic de l'arbre : RSS {pic_rss / MIO:.0f} Mio (à {moment_pic:.0f} s), PSS {pic_pss / MIO:.0f} Mio ; "
        f"plus gros processus {pic_processus / MIO:.0f} Mio ; jusqu'à {nb_max} processus\n"
        f"[mémoire] charge : début {charge_debut[0]:.2f} / {charge_debut[1]:.2f} / {charge_debut[2]:.2f}, "
        f"moyenne sur 1 min échantillonnée {moyenne_charge:.2f} (max {max(charges, default=0):.2f}), "
        f"fin {charge_fin[0]:.2f} / {charge_fin[1]:.2f} / {charge_fin[2]:.2f}",
        flush=True,
    )
    return enfant.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--intervalle", type=float, default=0.25, help="Échantillonnage (s), défaut 0,25.")
    parser.add_argument("--trace", help="Fichier TSV : temps, processus, RSS (Mio), PSS (Mio).")
    parser.add_argument("commande", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    commande = args.commande[1:] if args.commande[:1] == ["--"] else args.commande
    if not commande:
        parser.error("commande à mesurer manquante (après --)")
    return mesurer(commande, args.intervalle, args.trace)


if __name__ == "__main__":
    sys.exit(main())
