"""Accord de ``transparence.attentes_sql`` avec l'ORM : la table des demandes, les durées d'attente agrégées,
les attributions observées, les couples commune × typologie et la cohorte du back-test, recalculés en Python
depuis les demandes lues par l'ORM ; ``remplacer_attentes`` se relit tel quel."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cotation.calcul.faits import ORDRE_TYPOLOGIES, plus_petite_typologie
from cotation.models import AttenteEstimee
from cotation.transparence import attentes_sql
from demandes.models import Demande
from fdls.organismes.models import Guichet
from tests.monde.factories import CommuneFactory, DemandeFactory, EpciFactory
from tests.monde.territoires import territoire_nantes

LE = date(2026, 6, 15)
ANNEES = 3


def _demande(commune, *, depot, etat=Demande.Etat.ACTIVE, fin=None, typologies=("T2",), autres=()):
    return DemandeFactory(
        guichet=Guichet.objects.get(code="10001"),
        communes=[commune, *autres],
        etat=etat,
        date_depot=depot,
        date_fin=fin,
        typologies=list(typologies),
    )


@pytest.fixture
def m():
    m = territoire_nantes(grille=True, administrateurs=True)
    m.loin = CommuneFactory(code_insee="44500", nom="Lointaine", departement=m.dep, epci=EpciFactory())
    jours = timedelta(days=1)
    _demande(m.nantes, depot=LE - 400 * jours)
    _demande(m.nantes, depot=LE - 2000 * jours, typologies=("T4", "T1"))  # déposée avant la fenêtre, active
    _demande(m.reze, depot=LE - 700 * jours, etat="satisfaite", fin=LE - 100 * jours, autres=[m.nantes])
    _demande(m.reze, depot=LE - 900 * jours, etat="satisfaite", fin=LE - 500 * jours)  # observée sur 36 mois
    _demande(m.reze, depot=LE - 300 * jours, etat="satisfaite", fin=LE + 10 * jours)  # close après ``le``
    _demande(m.nantes, depot=LE - 800 * jours, etat="annulee", fin=LE - 200 * jours)
    _demande(m.loin, depot=LE - 3000 * jours, etat="annulee", fin=LE - 2000 * jours)  # hors de la fenêtre
    _demande(m.loin, depot=LE - 3000 * jours, etat="satisfaite", fin=LE - 1500 * jours, typologies=())
    _demande(m.loin, depot=LE - 50 * jours, typologies=())
    return m


def _table_orm(*, tout: bool) -> list[dict]:
    """Les lignes de ``tmp_attente``, lues par l'ORM et filtrées en Python."""
    debut, observe = LE - relativedelta(years=ANNEES), LE - relativedelta(months=36)
    lignes = []
    for d in Demande.objects.exclude(date_depot=None).prefetch_related("localisations__commune"):
        if not (d.etat == "active" or (d.etat in ("satisfaite", "annulee") and d.date_fin is not None)):
            continue
        if not (
            tout
            or d.etat == "active"
            or d.date_depot >= debut
            or (d.date_fin is not None and d.date_fin > debut)
            or (d.etat == "satisfaite" and d.date_fin > observe)
        ):
            continue
        localisations = sorted(d.localisations.all(), key=lambda lo: lo.rang)
        if not localisations:
            continue
        commune = localisations[0].commune
        lignes.append(
            {
                "etat": d.etat,
                "depot": d.date_depot,
                "fin": d.date_fin,
                "commune": commune.pk,
                "epci": commune.epci_id,
                "typologie": plus_petite_typologie(d.typologies),
            }
        )
    return lignes


def _survie_orm(lignes, *, le, debut, depot_max, troncature) -> Counter:
    resultat = Counter()
    for x in lignes:
        encore = x["etat"] == "active" or x["fin"] > debut
        if not (x["depot"] <= depot_max and (x["depot"] >= debut or (troncature and encore))):
            continue
        close = x["etat"] != "active" and x["fin"] <= le
        jours = (x["fin"] if close else le) - x["depot"]
        evenement = x["etat"] == "satisfaite" and x["fin"] <= le
        cle = (x["commune"], x["epci"], x["typologie"], max((debut - x["depot"]).days, 0), jours.days, evenement)
        resultat[cle] += 1
    return resultat


def _cles_orm(commune, epci, typologie) -> list[tuple]:
    cles = [("c", commune)] + ([("e", epci)] if epci else [])
    if typologie:
        cles += [("ct", commune, typologie)] + ([("et", epci, typologie)] if epci else [])
    return cles


def _observe_orm(lignes, *, le, debut12, debut36) -> dict:
    groupes = defaultdict(list)
    for x in lignes:
        if x["etat"] == "satisfaite" and x["fin"] <= le and x["fin"] > debut36 and x["typologie"]:
            groupes[x["commune"], x["typologie"]].append(x)
    resultat = {}
    for cle, xs in groupes.items():
        recentes = [(x["fin"] - x["depot"]).days for x in xs if x["fin"] > debut12]
        toutes = [(x["fin"] - x["depot"]).days for x in xs]
        resultat[cle] = (
            len(recentes),
            sum(recentes) / len(recentes) if recentes else None,
            len(toutes),
            sum(toutes) / len(toutes),
        )
    return resultat


def _arrondi(x) -> float | None:
    return None if x is None else round(float(x), 6)


@pytest.mark.parametrize("tout", [False, True])
def test_la_table_des_demandes_et_ses_lectures_sont_celles_de_l_orm(m, tout):
    lignes = _table_orm(tout=tout)
    debut = LE - relativedelta(years=ANNEES)
    with attentes_sql.table_des_demandes(le=LE, annees=ANNEES, ordre_typologies=ORDRE_TYPOLOGIES, tout=tout) as table:
        for le, debut_, depot_max, troncature in [
            (LE, debut, LE, True),
            (LE, debut, LE, False),
            (LE - timedelta(days=300), debut - timedelta(days=300), LE - timedelta(days=300), True),
            (LE, debut, LE - timedelta(days=500), False),
        ]:
            lues = table.survie(le=le, debut=debut_, depot_max=depot_max, troncature=troncature)
            attendu = _survie_orm(lignes, le=le, debut=debut_, depot_max=depot_max, troncature=troncature)
            assert {tuple(r[:6]): r[6] for r in lues} == attendu
            # Lectures en flux du calcul de nuit : effectifs et lignes de chaque groupe de chaque niveau.
            periode = {"le": le, "debut": debut_, "depot_max": depot_max, "troncature": troncature}
            par_groupe, effectifs = Counter(), Counter()
            for (commune, epci, typologie, entree, jours, evenement), n in attendu.items():
                for cle in _cles_orm(commune, epci, typologie):
                    par_groupe[cle, jours, evenement, entree] += n
                    effectifs[cle] += n
            assert table.effectifs(**periode) == dict(effectifs)
            lus = Counter()
            for niveau in ("ct", "et", "c", "e"):
                vus = []
                for cle, groupe in table.survie_par_groupe(niveau, **periode):
                    assert cle[0] == niveau
                    vus.append(cle)
                    for jours, evenement, n, entree in groupe:
                        lus[cle, jours, evenement, entree] += n
                assert len(vus) == len(set(vus))  # un groupe n'est rendu qu'une fois
            assert lus == par_groupe
        debut12, debut36 = LE - relativedelta(months=12), LE - relativedelta(months=36)
        observees = {
            (c, t): (n12, _arrondi(m12), n36, _arrondi(m36))
            for c, t, n12, m12, n36, m36 in table.observe(le=LE, debut12=debut12, debut36=debut36)
        }
        attendues = _observe_orm(lignes, le=LE, debut12=debut12, debut36=debut36)
        assert observees == {cle: (a, _arrondi(b), c, _arrondi(d)) for cle, (a, b, c, d) in attendues.items()}
        assert observees  # des attributions observées sur 12 et 36 mois
        assert sorted(table.couples()) == sorted(
            {(x["commune"], x["epci"], x["typologie"]) for x in lignes if x["typologie"]}
        )
        coupure = LE - timedelta(days=365)
        assert sorted(table.cohorte(coupure=coupure)) == sorted(
            (x["commune"], x["epci"], x["typologie"], x["depot"], x["etat"], x["fin"])
            for x in lignes
            if x["depot"] <= coupure and (x["etat"] == "active" or x["fin"] > coupure)
        )
    anciennes = [x for x in lignes if x["commune"] == m.loin.pk and x["etat"] != "active"]
    assert len(anciennes) == (2 if tout else 0)  # closes avant la fenêtre : seulement pour le back-test


def test_remplacer_attentes_se_relit_par_l_orm(m):
    AttenteEstimee.objects.create(commune=m.loin, typologie="T1", niveau="aucun", calcule_le=timezone.now())
    quand = timezone.now()
    ligne = (m.nantes.pk, "T2", "commune_typologie", 20.0, 15.5, 26.1, 35.0, 40, 3, 14.3, 10, 12, quand)
    attentes_sql.remplacer_attentes([ligne])
    lues = list(
        AttenteEstimee.objects.values_list(
            "commune_id",
            "typologie",
            "niveau",
            "mediane_mois",
            "bas_mois",
            "haut_mois",
            "suivi_mois",
            "effectif",
            "annees",
            "moyenne_observee_mois",
            "attributions",
            "periode_observee_mois",
            "calcule_le",
        )
    )
    assert lues == [ligne]
