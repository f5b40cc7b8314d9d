"""Banc des commissions d'attribution (instruction/commissions), sur la base de démonstration.

Au nom du bailleur de démonstration, dans une transaction annulée à la fin (la base n'en garde rien) :

* l'ordre du jour PDF d'une séance de 10 logements × 3 candidats : ≤ 5 s ;
* l'enregistrement d'une décision (``services.decider`` : verrous, table de transitions, deux événements
  d'historique, recalcul de la cotation par le signal) : p95 ≤ 100 ms ;
* la cascade du bail signé avec 10 candidats classés (demande satisfaite, 9 non-attributions, vacance
  attribuée, une transaction) : ≤ 200 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fdls_cal REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python -m bench.bench_cal --repetitions 3
"""

import argparse
import sys
from datetime import timedelta

from bench.commun import centiles, chronometrer  # django.setup()

AGENT = "bailleur@demo.fdls.fr"
CIBLE_PDF_MS = 5000
CIBLE_DECISION_MS = 100
CIBLE_BAIL_MS = 200
DECISIONS = [
    ("attribution_rang", {"rang": 1}),
    ("attribution_rang", {"rang": 2}),
    ("non_attribution", {"motif": "inadapte"}),
]


class Annuler(Exception):
    """Annule la transaction du banc : la base de démonstration n'en garde rien."""


def mesurer(repetitions: int) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from demandes.models import Demande
    from fdls.comptes.models import Utilisateur
    from instruction.commissions import pdf, selectors, services
    from instruction.commissions.services import Saisie
    from instruction.propositions import services as propositions
    from offre.models import Disponibilite, EtatDisponibilite

    agent = Utilisateur.objects.select_related("organisme").get(email=AGENT)
    aujourd_hui = timezone.localdate()
    besoin = 10 + repetitions
    vacances = list(
        Disponibilite.objects.filter(logement__bailleur=agent.organisme_id, etat=EtatDisponibilite.A_POURVOIR)
        .select_related("logement")
        .order_by("pk")[:besoin]
    )
    demandes = list(
        Demande.objects.visibles_par(agent).filter(etat=Demande.Etat.ACTIVE).order_by("pk")[: 30 + 10 * repetitions]
    )
    if len(vacances) < besoin or len(demandes) < 30 + 10 * repetitions:
        sys.exit("Base de démonstration trop petite : lancez `manage.py demo` d'abord.")
    resultats = {}
    try:
        with transaction.atomic():
            commission = services.creer_commission(auteur=agent, nom="Banc CAL", quorum=1)
            seance = services.planifier_seance(
                auteur=agent, commission=commission, date_seance=aujourd_hui, lieu="Salle du banc"
            )
            a_placer = iter(demandes)
            for vacance in vacances[:10]:
                for _ in range(3):
                    propositions.positionner_candidat(auteur=agent, disponibilite=vacance, demande=next(a_placer))
                services.inscrire_logement(auteur=agent, seance=seance, disponibilite=vacance)
            # 1. Ordre du jour PDF : 10 logements × 3 candidats (la première édition charge les polices).
            durees_pdf = []
            for _ in range(repetitions):
                duree, contenu = chronometrer(lambda: pdf.ordre_du_jour(seance, selectors.ordre_du_jour(seance)))
                durees_pdf.append(duree)
            resultats["pdf"] = (centiles(durees_pdf), len(contenu))
            # 2. Décisions : les 30 candidats de la séance.
            durees_decision = []
            for examen in selectors.ordre_du_jour(seance):
                for candidature, (decision, champs) in zip(examen.candidatures.all(), DECISIONS, strict=True):
                    saisie = Saisie(decision, **champs)
                    duree, _ = chronometrer(
                        lambda c=candidature, s=saisie: services.decider(auteur=agent, candidature=c, saisie=s)
                    )
                    durees_decision.append(duree)
            resultats["decision"] = centiles(durees_decision)
            # 3. Bail signé, 10 candidats classés : cascade en une transaction.
            durees_bail = []
            for vacance in vacances[10:besoin]:
                for _ in range(10):
                    propositions.positionner_candidat(auteur=agent, disponibilite=vacance, demande=next(a_placer))
                examen = services.inscrire_logement(auteur=agent, seance=seance, disponibilite=vacance)
                classes = list(examen.candidatures.order_by("ordre"))
                for rang, candidature in enumerate(classes, start=1):
                    services.decider(
                        auteur=agent, candidature=candidature, saisie=Saisie("attribution_rang", rang=rang)
                    )
                duree, _ = chronometrer(
                    lambda c=classes[0]: services.signer_bail(
                        auteur=agent, candidature=c, signe_le=aujourd_hui, entree_le=aujourd_hui + timedelta(days=7)
                    )
                )
                durees_bail.append(duree)
            resultats["bail"] = centiles(durees_bail)
            raise Annuler
    except Annuler:
        pass
    return resultats


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    r = mesurer(args.repetitions)
    (med, p95, pmax), taille = r["pdf"]
    print(
        f"Ordre du jour PDF (10 × 3) : médiane {med:.0f} ms, max {pmax:.0f} ms, {taille // 1024} Kio "
        f"(cible ≤ {CIBLE_PDF_MS} ms) {'OK' if pmax <= CIBLE_PDF_MS else 'MANQUÉ'}"
    )
    med, p95, pmax = r["decision"]
    print(
        f"Décision (30) : médiane {med:.1f} ms, p95 {p95:.1f} ms, max {pmax:.1f} ms "
        f"(cible p95 ≤ {CIBLE_DECISION_MS} ms) {'OK' if p95 <= CIBLE_DECISION_MS else 'MANQUÉ'}"
    )
    med, p95, pmax = r["bail"]
    print(
        f"Bail signé, 10 candidats ({args.repetitions}) : médiane {med:.1f} ms, max {pmax:.1f} ms "
        f"(cible ≤ {CIBLE_BAIL_MS} ms) {'OK' if pmax <= CIBLE_BAIL_MS else 'MANQUÉ'}"
    )


if __name__ == "__main__":
    main()
