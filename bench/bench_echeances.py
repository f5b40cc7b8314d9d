"""Banc des échéances du jour : job des rappels et job d'annulation automatique (``demandes.relances.traitements``).

Cible : ≤ 60 s pour ≈ 8 000 échéances par jour (la taille d'un fichier de
3 M de demandes actives : 3 000 000 / 365 ≈ 8 200), mémoire bornée.

Préparation de la base (une fois ; le générateur n'est pas modifié) :

    createdb -h 127.0.0.1 -U postgres fdls_bench_taches
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/fdls_bench_taches REDIS_URL=redis://127.0.0.1:6379/0
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py demo --demandes 200000
    .venv/bin/python -m bench.bench_echeances --jours 3

Pour chaque jour J mesuré, le banc **place** 8 000 échéances par SQL (les
demandes actives choisies ont une échéance lointaine, tirées dans tout le
fichier par ``id % 997``) :

    UPDATE demandes_demande SET date_expiration = J - 1          -- 8 000 échues la veille : à annuler le jour J
     WHERE id IN (SELECT id FROM demandes_demande WHERE etat = 'active' AND date_expiration > J + 2 mois
                  ORDER BY id % 997, id LIMIT 8000);
    UPDATE demandes_demande SET date_expiration = J + 1 mois      -- 8 000 à rappeler le jour J
     WHERE id IN (… même choix parmi les autres …);

puis lance ``annuler_demandes_echues(J)`` et ``envoyer_relances(J)`` tels que
le beat les lance. Avant la première mesure, les jobs de la veille tournent
une fois sans être mesurés (régime établi : les échéances naturelles du
fichier dans la fenêtre du préavis ont déjà leur rappel, les demandes déjà
échues sont annulées). Envois : courriels rendus puis remis au backend
``dummy`` de Django (aucune I/O), SMS par le backend journal (une ligne en
base par SMS, le coût réel d'un appel local), courriers écrits en fichiers
dans un dossier temporaire.
"""

import argparse
import resource
import sys
import tempfile
import time
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from bench.commun import nom_base  # django.setup() d'abord
from demandes.models import Demande, Relance, SmsJournal
from demandes.relances import traitements

ECHEANCES = 8000


def rss_mo() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def placer(jour, nombre: int) -> tuple[int, int]:
    """Place ``nombre`` échéances échues la veille de ``jour`` et ``nombre`` à ``jour`` + préavis."""
    horizon = traitements.horizon_relances(jour)
    loin = jour + relativedelta(months=2)
    sql = """
        UPDATE demandes_demande SET date_expiration = %s
         WHERE id IN (SELECT id FROM demandes_demande
                       WHERE etat = 'active' AND date_expiration > %s
                       ORDER BY id %% 997, id LIMIT %s)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [jour - timedelta(days=1), loin, nombre])
        echues = cursor.rowcount
        cursor.execute(sql, [horizon, loin, nombre])
        a_rappeler = cursor.rowcount
        cursor.execute("ANALYZE demandes_demande")
    return echues, a_rappeler


CPU: dict[str, float] = {}


def mesurer(fonction, nom: str = ""):
    """Durée murale ; le temps CPU du processus Python est noté dans ``CPU[nom]``."""
    debut, cpu = time.perf_counter(), time.process_time()
    resultat = fonction()
    CPU[nom] = time.process_time() - cpu
    return time.perf_counter() - debut, resultat


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jours", type=int, default=3, help="jours mesurés (un placement de 8 000 échéances chacun)")
    parser.add_argument("--echeances", type=int, default=ECHEANCES)
    parser.add_argument("--decalage", type=int, default=10, help="premier jour mesuré = aujourd'hui + N jours")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    settings.FDLS_SMS_BACKEND = "demandes.relances.envoi.SmsVersJournal"
    settings.FDLS_COURRIERS_DIR = tempfile.mkdtemp(prefix="fdls-bench-courriers-")

    actives = Demande.objects.filter(etat="active").count()
    print(f"Base {nom_base()} : {actives} demandes actives, {Demande.objects.count()} demandes en tout")
    premier = timezone.localdate() + timedelta(days=args.decalage)

    veille = premier - timedelta(days=1)
    print(f"Régime établi : jobs du {veille} (non mesurés)…")
    for job in (traitements.annuler_demandes_echues, traitements.envoyer_relances):
        duree, resultat = mesurer(lambda job=job: job(veille))
        print(f"  {resultat} en {duree:.1f} s")

    lignes = []
    for k in range(args.jours):
        jour = premier + timedelta(days=k)
        echues, a_rappeler = placer(jour, args.echeances)
        print(
            f"\nJour {jour} : {echues} échéances placées la veille, "
            f"{a_rappeler} au {traitements.horizon_relances(jour)}"
        )
        print(
            f"  à annuler : {traitements.apercu(jour)['echues']}, à rappeler : {traitements.apercu(jour)['a_relancer']}"
        )
        sms_avant = SmsJournal.objects.count()
        d_annul, r_annul = mesurer(lambda jour=jour: traitements.annuler_demandes_echues(jour), "annulations")
        print(f"  {r_annul} en {d_annul:.1f} s (CPU Python {CPU['annulations']:.1f} s)")
        d_rel, r_rel = mesurer(lambda jour=jour: traitements.envoyer_relances(jour), "relances")
        print(f"  {r_rel} en {d_rel:.1f} s (CPU Python {CPU['relances']:.1f} s)")
        d_bis, r_bis = mesurer(
            lambda jour=jour: traitements.envoyer_relances(jour, forcer=True)
        )  # relancé de force : tout est déjà fait
        d_abis, _ = mesurer(lambda jour=jour: traitements.annuler_demandes_echues(jour, forcer=True))
        print(f"  relancés de force (rien à refaire) : rappels {d_bis:.2f} s, annulations {d_abis:.2f} s")
        lignes.append(
            (
                jour,
                r_annul.compteurs.get("annulees", 0),
                d_annul,
                r_rel.compteurs.get("preparees", 0),
                r_rel.compteurs.get("envoyees", 0),
                SmsJournal.objects.count() - sms_avant,
                d_rel,
                d_annul + d_rel,
                d_bis + d_abis,
            )
        )
        assert r_bis.compteurs.get("envoyees", 0) == 0

    par_canal = dict(
        Relance.objects.filter(echeance__gte=traitements.horizon_relances(premier))
        .values_list("canal")
        .annotate(n=Count("id"))
    )
    print(
        "\n| jour | annulées | annulation (s) | rappels préparés | envoyés | dont SMS | rappels (s) | total (s) "
        "| relancés de force (s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for jour, annulees, d_a, preparees, envoyees, sms, d_r, total, bis in lignes:
        print(
            f"| {jour} | {annulees} | {d_a:.1f} | {preparees} | {envoyees} | {sms} | {d_r:.1f} "
            f"| **{total:.1f}** | {bis:.2f} |"
        )
    totaux = sorted(ligne[7] for ligne in lignes)
    print(f"\nMédiane du total : {totaux[len(totaux) // 2]:.1f} s (cible ≤ 60 s) ; rappels par canal : {par_canal}")
    print(f"Mémoire maximale du processus : {rss_mo():.0f} Mo")
    return 0


if __name__ == "__main__":
    sys.exit(main())
