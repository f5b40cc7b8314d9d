"""Transparence de la cotation (CCH R441-2-17) : répartition, rang et centile des demandes analogues, délai moyen
observé, médiane de Kaplan–Meier et regroupement des petits groupes, accès à l'écran."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cotation.calcul import services
from cotation.models import AttenteEstimee, ResultatCotation
from cotation.transparence import attentes as transparence
from cotation.transparence import selectors
from fdls.audit.models import Consultation
from fdls.organismes.models import Guichet
from tests.monde.factories import CommuneFactory, DemandeFactory, DemandeurFactory, EpciFactory
from tests.monde.territoires import territoire_nantes

LE = date(2026, 6, 15)
MOIS = transparence.JOURS_PAR_MOIS


def _demande(commune, **champs):
    """Une demande (guichet de la fabrique commun : pas de nouveau code de guichet à chaque demande)."""
    return DemandeFactory(guichet=Guichet.objects.get(code="10001"), communes=[commune], **champs)


# ---------------------------------------------------------------- répartition, rang, centile (fonctions pures)


def test_rang_et_centile_avec_ex_aequo():
    repartition = [(50, 2), (40, 3), (30, 1)]  # six demandes analogues, la demande comprise
    premier = selectors.classer(50, repartition)
    assert (premier.rang, premier.egaux, premier.effectif, premier.centile) == (1, 2, 6, 100)
    milieu = selectors.classer(40, repartition)
    # Deux demandes ont plus de points : les trois à 40 points partagent le 3e rang.
    assert (milieu.rang, milieu.au_dessus, milieu.egaux, milieu.en_dessous) == (3, 2, 3, 1)
    assert milieu.centile == 66  # 4 demandes sur 6 ont 40 points ou moins
    dernier = selectors.classer(30, repartition)
    assert (dernier.rang, dernier.centile) == (6, 16)


def test_total_absent_de_la_repartition_compte_la_demande():
    """Cotée depuis le dernier calcul de la répartition : la demande est ajoutée à son total."""
    c = selectors.classer(45, [(50, 2), (40, 3)])
    assert (c.rang, c.effectif, c.egaux, c.centile) == (3, 6, 1, 66)


def test_barres_tranches_et_demande():
    repartition = [(t, 1) for t in range(0, 100, 3)]  # 0 à 99 : tranches de 10 points
    barres = selectors.barres(repartition, total=43)
    assert [b.debut for b in barres] == list(range(0, 100, 10))
    assert sum(b.effectif for b in barres) == len(repartition) + 1  # 43 n'y était pas : la demande est ajoutée
    assert [b.contient for b in barres].count(True) == 1
    assert barres[4].contient
    assert barres[4].libelle == "de 40 à 49 points"
    assert all(b.largeur % 5 == 0 and 0 <= b.largeur <= 100 for b in barres)
    assert max(b.largeur for b in barres) == 100
    assert selectors.barres([(12, 4)], total=12)[0].libelle == "12 points"


# ---------------------------------------------------------------- position d'une demande (base)


@pytest.fixture
def territoire():
    m = territoire_nantes(grille=True, administrateurs=True)
    m.bouguenais = CommuneFactory(code_insee="44020", nom="Bouguenais", departement=m.dep, epci=m.nantes.epci)
    m.loin = CommuneFactory(code_insee="44500", nom="Lointaine", departement=m.dep, epci=EpciFactory())
    return m


def _coter(demande, total, *, grille, commune, typologie="T2"):
    ResultatCotation.objects.update_or_create(
        demande=demande,
        defaults={
            "grille": grille,
            "total": total,
            "lignes": [],
            "calcule_le": timezone.now(),
            "commune_id": commune.pk,
            "typologie": typologie,
        },
    )


def test_position_lit_la_repartition_des_demandes_analogues(territoire):
    m = territoire
    demandes = [_demande(m.reze, typologies=["T2", "T3"]) for _ in range(5)]
    for d, total in zip(demandes, [30, 20, 20, 20, 5], strict=True):
        _coter(d, total, grille=m.grille, commune=m.reze)
    autre = _demande(m.nantes)  # autre commune : pas analogue
    _coter(autre, 99, grille=m.grille, commune=m.nantes)
    close = _demande(m.reze, satisfaite=True)
    _coter(close, 99, grille=m.grille, commune=m.reze)  # close : hors de la répartition des actives
    services.rafraichir_distributions()

    p = selectors.position(demandes[2])
    assert (p.total, p.classement.rang, p.classement.effectif, p.classement.egaux) == (20, 2, 5, 3)
    assert p.classement.centile == 80
    assert p.commune_nom == "Rezé"
    assert p.typologie_libelle.startswith("T2")
    assert sum(b.effectif for b in p.barres) == 5
    assert selectors.position(close) is None


# ---------------------------------------------------------------- Kaplan–Meier sur un petit jeu connu


def test_mediane_kaplan_meier_connue():
    # 10 demandes : satisfaites à 1, 2, 3, 4, 5, 7, 8, 9, 10 mois, une annulée (censurée) à 6 mois.
    # S(t) = 0,9 ; 0,8 ; 0,7 ; 0,6 ; 0,5 à 5 mois : la médiane vaut 5 mois.
    mois = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    evenements = [True] * 5 + [False] + [True] * 4
    e = transparence.estimer([m * MOIS for m in mois], evenements)
    assert e.mediane == pytest.approx(5.0)
    assert e.bas <= 5.0 <= e.haut
    assert (e.effectif, e.evenements) == (10, 9)


def test_mediane_non_atteinte_plus_de_n_mois():
    e = transparence.estimer([m * MOIS for m in (1, 12, 12, 12, 12)], [True, False, False, False, False])
    assert e.mediane is None
    assert e.haut is None
    assert e.suivi == pytest.approx(12.0)


def test_poids_equivalent_a_des_lignes_repetees():
    repete = transparence.estimer([30, 30, 60, 90, 90, 90], [True, True, False, True, True, True])
    pondere = transparence.estimer([30, 60, 90], [True, False, True], [2, 1, 3])
    assert (repete.mediane, repete.bas, repete.haut) == (pondere.mediane, pondere.bas, pondere.haut)


def test_mediane_residuelle():
    e = transparence.estimer([m * MOIS for m in range(1, 11)], [True] * 10, garder_courbe=True)
    assert e.residuelle(0) == pytest.approx(5.0)
    # En attente depuis 6 mois : 4 restantes ; la moitié est satisfaite à 8 mois.
    assert e.residuelle(6) == pytest.approx(8.0)


# ---------------------------------------------------------------- calcul de nuit : délai observé, médiane, regroupement


def _satisfaite(commune, *, attente_jours, fin, typologies=("T2",)):
    return _demande(
        commune,
        satisfaite=True,
        date_depot=fin - timedelta(days=attente_jours),
        date_fin=fin,
        typologies=list(typologies),
    )


def test_delai_moyen_observe_12_mois_puis_36(territoire):
    m = territoire
    fin = LE - timedelta(days=30)
    attentes = [300, 330, 360, 390, 420, 450, 480, 510, 540, 570]  # 10 attributions en 12 mois : 435 jours
    for jours in attentes:
        _satisfaite(m.nantes, attente_jours=jours, fin=fin)
    _satisfaite(m.nantes, attente_jours=2000, fin=LE - timedelta(days=500))  # hors des 12 mois
    # Bouguenais : 2 attributions en 12 mois (trop peu), 1 de plus en 36 mois.
    _satisfaite(m.bouguenais, attente_jours=100, fin=fin)
    _satisfaite(m.bouguenais, attente_jours=200, fin=fin)
    _satisfaite(m.bouguenais, attente_jours=600, fin=LE - timedelta(days=700))
    _demande(m.reze, typologies=["T2"], date_depot=LE - timedelta(days=100))

    transparence.calculer_attentes(le=LE)

    nantes = AttenteEstimee.objects.get(commune=m.nantes, typologie="T2")
    assert (nantes.periode_observee_mois, nantes.attributions) == (12, 10)
    assert nantes.moyenne_observee_mois == pytest.approx(round(435 / MOIS, 1))
    bouguenais = AttenteEstimee.objects.get(commune=m.bouguenais, typologie="T2")
    assert (bouguenais.periode_observee_mois, bouguenais.attributions) == (36, 3)
    assert bouguenais.moyenne_observee_mois == pytest.approx(round(300 / MOIS, 1))
    reze = AttenteEstimee.objects.get(commune=m.reze, typologie="T2")
    assert (reze.attributions, reze.moyenne_observee_mois) == (0, None)


def _groupe_connu(commune, le):
    """40 demandes T2 déposées le même jour il y a 35 mois ; la k-ième est satisfaite après k mois (k ≤ 35),
    les 5 dernières attendent encore : S(t) = 1 − t/40 jusqu'à 35 mois, médiane 20 mois."""
    depot = le - timedelta(days=round(35 * MOIS))
    for k in range(1, 41):
        fin = depot + timedelta(days=round(k * MOIS))
        if fin <= le:
            _demande(commune, typologies=["T2"], date_depot=depot, satisfaite=True, date_fin=fin)
        else:
            _demande(commune, typologies=["T2"], date_depot=depot)


def test_calcul_de_nuit_mediane_et_regroupement(territoire):
    m = territoire
    _groupe_connu(m.nantes, LE)
    for _ in range(3):  # Bouguenais, T2 : trop peu de demandes, on regarde tout l'EPCI en T2
        _demande(m.bouguenais, typologies=["T2"], date_depot=LE - timedelta(days=200))
    for _ in range(2):  # Lointaine : seule dans son EPCI, trop peu pour une estimation
        _demande(m.loin, typologies=["T4"], date_depot=LE - timedelta(days=200))

    assert transparence.calculer_attentes(le=LE) == 3

    nantes = AttenteEstimee.objects.get(commune=m.nantes, typologie="T2")
    assert nantes.niveau == AttenteEstimee.Niveau.COMMUNE_TYPOLOGIE
    assert nantes.mediane_mois == pytest.approx(20.0, abs=0.1)
    assert nantes.bas_mois <= 20 <= nantes.haut_mois
    assert nantes.effectif == 40
    bouguenais = AttenteEstimee.objects.get(commune=m.bouguenais, typologie="T2")
    assert bouguenais.niveau == AttenteEstimee.Niveau.EPCI_TYPOLOGIE
    assert bouguenais.effectif == 43
    loin = AttenteEstimee.objects.get(commune=m.loin, typologie="T4")
    assert loin.niveau == AttenteEstimee.Niveau.AUCUN
    assert loin.mediane_mois is None

    # Rejouer remplace la table (idempotent).
    assert transparence.calculer_attentes(le=LE) == 3
    assert AttenteEstimee.objects.count() == 3


def test_regroupement_commune_toutes_typologies(territoire):
    m = territoire
    for i in range(31):  # 31 demandes à Lointaine, réparties sur trois typologies : la commune entière
        _demande(m.loin, typologies=[("T1", "T3", "T5")[i % 3]], date_depot=LE - timedelta(days=90))
    transparence.calculer_attentes(le=LE)
    attente = AttenteEstimee.objects.get(commune=m.loin, typologie="T3")
    assert (attente.niveau, attente.effectif) == (AttenteEstimee.Niveau.COMMUNE, 31)
    assert attente.mediane_mois is None
    assert attente.suivi_mois == pytest.approx(round(90 / MOIS, 1))


def test_backtest_sur_un_groupe_connu(territoire):
    m = territoire
    _groupe_connu(m.nantes, LE)
    b = transparence.backtest(LE - timedelta(days=round(10 * MOIS)), le=LE)
    assert b.cohorte == 40 - 25  # à la coupure, 25 mois après le dépôt : 25 satisfaites, 15 en attente
    assert b.groupes == 1
    assert b.groupes_sans_estimation == 0
    assert b.satisfaites_avant + b.pas_satisfaites + b.horizon_futur + b.sans_prediction == b.cohorte


# ---------------------------------------------------------------- écran : accès selon le rôle


@pytest.fixture
def demande_cotee(territoire):
    m = territoire
    m.demandeur = DemandeurFactory()
    demande = _demande(m.reze, typologies=["T2"], compte_demandeur=m.demandeur)
    _coter(demande, 12, grille=m.grille, commune=m.reze)
    services.rafraichir_distributions()
    transparence.calculer_attentes()
    return demande


def test_ecran_agent_du_territoire_et_journal(client, agent_verifie, territoire, demande_cotee):
    agent_verifie(territoire.agent_reze)
    url = reverse("cotation:transparence", args=[demande_cotee.pk])
    reponse = client.get(url, headers={"HX-Request": "true"})
    assert reponse.status_code == 200
    texte = reponse.content.decode()
    assert "<html" not in texte  # fragment htmx
    assert "Rang" in texte
    assert "1<sup>er</sup>" in texte
    assert "Voir ces chiffres sous forme de tableau" in texte
    assert Consultation.objects.filter(objet_id=str(demande_cotee.pk), utilisateur=territoire.agent_reze).exists()
    page = client.get(url)
    assert page.status_code == 200
    assert "<html" in page.content.decode()


@pytest.mark.parametrize("qui", ["agent_lointain", "observateur"])
def test_ecran_refuse_hors_territoire_et_observateur(client, agent_verifie, territoire, demande_cotee, qui):
    agent_verifie(getattr(territoire, qui))
    reponse = client.get(reverse("cotation:transparence", args=[demande_cotee.pk]))
    assert reponse.status_code == 404


def test_ecran_demandeur_sa_demande_seulement(client, territoire, demande_cotee):
    url = reverse("cotation:transparence", args=[demande_cotee.pk])
    client.force_login(territoire.demandeur)
    assert client.get(url).status_code == 200
    client.force_login(DemandeurFactory())
    assert client.get(url).status_code == 404


def test_ecran_anonyme_renvoye_a_la_connexion(client, demande_cotee):
    reponse = client.get(reverse("cotation:transparence", args=[demande_cotee.pk]))
    assert reponse.status_code == 302
