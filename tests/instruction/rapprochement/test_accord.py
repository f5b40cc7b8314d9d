"""Test d'accord du SQL de la recherche (``recherche_sql``) et des raisons Python (``explication``).

Sur un jeu généré (ménages, choix, ressources, besoins d'accès, labels, états variés) et plusieurs
vacances et filtres : chaque demande visible est soit dans le résultat SQL, soit exclue par au moins une
raison, jamais les deux ; une demande retenue a pour rang sa position dans le résultat.
"""

import datetime
import random
from decimal import Decimal

import pytest

from demandes.cycle import services
from demandes.labels import services as labels
from demandes.models import Demande
from fdls import acces
from instruction.rapprochement import explication, recherche_sql
from tests.instruction.rapprochement.aides import recherche
from tests.monde.dossiers import enregistrer
from tests.monde.factories import DisponibiliteFactory, LogementFactory, ProgrammeFactory, QuartierFactory


@pytest.fixture
def jeu(m):
    hasard = random.Random(18)
    communes = [m.nantes, m.reze, m.ancenis]
    aujourd_hui = datetime.date.today()
    for i in range(36):
        enfants = [(f"E{j}", datetime.date(2010 + j, 3, 1)) for j in range(hasard.choice([0, 0, 1, 2, 4]))]
        demande = enregistrer(
            m,
            nom=f"ACCORD{i:02d}",
            communes=hasard.sample(communes, hasard.randint(1, 3)),
            # Co-demandeur MARTIN ou ACCORD : le filtre « mar » (trois lettres) lit ses deux parts.
            codemandeur=(hasard.choice(["ACCORD", "MARTIN"]), "Alex", datetime.date(1980, 1, 1))
            if hasard.random() < 0.6
            else None,
            occupants=enfants,
            typologies=hasard.sample(["T1", "T2", "T3", "T4"], hasard.randint(1, 2)),
            rfr=hasard.choice([None, Decimal("9000"), Decimal("22000"), Decimal("30000"), Decimal("52000")]),
            salaire=hasard.choice([None, Decimal("900"), Decimal("1600"), Decimal("2800")]),
            rez_de_chaussee=hasard.random() < 0.2,
            sans_ascenseur_accepte=hasard.random() < 0.7,
            adapte_handicap=hasard.random() < 0.15,
            categorie_recherchee=hasard.choice(["indifferent", "indifferent", "appartement", "maison"]),
            loyer_max=hasard.choice([None, Decimal("400"), Decimal("700")]),
            date_depot=aujourd_hui - datetime.timedelta(days=hasard.randint(0, 900)),
        )
        if hasard.random() < 0.25:
            labels.poser_label(demande, m.als_type, user=m.agent_als)
        if hasard.random() < 0.2:
            labels.poser_label(demande, m.cp_dalo, user=m.agent_ddets)
        if hasard.random() < 0.1:
            services.annuler_demande(demande, motif="renonciation", auteur=m.auteur)
    return m


def vacances(m):
    quartier = QuartierFactory(commune=m.nantes, nom="Malakoff", qpv=True)
    sans_ascenseur = ProgrammeFactory(bailleur=m.bailleur, commune=m.nantes, quartier=quartier)
    return [
        DisponibiliteFactory(
            logement=LogementFactory(programme=ProgrammeFactory(bailleur=m.bailleur, commune=m.nantes))
        ),
        DisponibiliteFactory(
            logement=LogementFactory(
                programme=sans_ascenseur, typologie="T2", etage=3, ascenseur=False, financement="PLAI"
            )
        ),
        DisponibiliteFactory(
            logement=LogementFactory(
                programme=ProgrammeFactory(bailleur=m.bailleur, commune=m.reze),
                typologie="T4",
                etage=0,
                accessibilite="adapte",
                financement="PLS",
            ),
            reservataire=m.als,
        ),
    ]


FILTRES = [
    {},
    {"typologies": ["T2", "T3", "T4"], "rang_max": 2},
    {"taux_effort_max": 30, "loyer_souhaite": True, "pct_plafond_max": 90},
    {"natures": ["couple", "famille"], "ressources_min": Decimal("1000"), "points_min": 1},
    {"depot_du": datetime.date.today() - datetime.timedelta(days=400), "nom": "accord1"},
    {"nom": "mar"},
    {"nom": "acc", "typologies": ["T2", "T3", "T4"]},
    {"categories": ["indifferent"], "besoins": ["ascenseur"], "typologies": ["T1", "T2", "T3", "T4"]},
    {"besoins": ["adapte_handicap"], "typologies": ["T2", "T3", "T4"]},
    {"besoins": ["rez_de_chaussee"], "handicap": True},
]


@pytest.mark.parametrize("filtres", FILTRES)
def test_chaque_demande_est_candidate_ou_expliquee_jamais_les_deux(jeu, filtres):
    m = jeu
    cles = acces.cles_acces(m.agent_bailleur)
    visibles = list(Demande.objects.visibles_par(m.agent_bailleur).prefetch_related("localisations__commune"))
    assert len(visibles) == 36
    retenues = 0
    for vacance in vacances(m):
        r = recherche(vacance, **filtres)
        resultat = [ligne.demande_id for ligne in recherche_sql.candidats(r, cles, limite=1000)]
        explications = {e.demande.pk: e for e in explication.expliquer_plusieurs(r, visibles, cles)}
        sans_raison = {pk for pk, e in explications.items() if not e.raisons}
        assert set(resultat) == sans_raison, vacance.logement
        for position, pk in enumerate(resultat, start=1):
            assert explications[pk].rang == position
        assert recherche_sql.compter(r, cles) == len(resultat)
        # La page de la vue (un seul parcours) : mêmes lignes, même nombre, à toute position ; plafond franchi.
        for decalage in (0, 2, 5):
            page, compte = recherche_sql.candidats_et_compte(r, cles, limite=3, decalage=decalage)
            assert [ligne.demande_id for ligne in page] == resultat[decalage : decalage + 3]
            assert compte == (len(resultat) if page else None)
        if len(resultat) > 2:
            _, compte = recherche_sql.candidats_et_compte(r, cles, limite=1, plafond=1)
            assert compte == 2  # « plus de 1 »
        retenues += len(resultat)
    # Le jeu exerce les deux côtés (des candidates et des exclues) ; des filtres étroits peuvent tout exclure.
    if not filtres or "rang_max" in filtres or filtres == {"nom": "mar"}:
        assert 0 < retenues < 3 * 36
