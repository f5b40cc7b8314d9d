"""Chaque critère de la grille de Nantes Métropole (PPGD, annexe 1) : rempli, non rempli, à ses bornes ;
chaque exclusion (« sauf si… », « ou ») ; chaque palier de décote et son expiration à date fixe ;
l'ancienneté et l'arithmétique des fins de mois ; le loyer à 33 % exactement."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cotation.calcul.moteur import coter
from cotation.calcul.regles import ajouter_mois, mois_entre, palier_de
from tests.monde.cotation import LE, coter_nantes, faits, labels, ligne, mois_avant, points

D = Decimal
ANCIEN = date(2015, 1, 5)  # dépôt de plus de 36 mois : 15 points d'ancienneté, sans échéance


def cas(id_, attendu: dict, total: int | None = None, **champs):
    return pytest.param(champs, attendu, sum(attendu.values()) if total is None else total, id=id_)


PRIORITES = [
    ("cp-dalo", "dalo", 20),
    ("cp-violences-conjugales", "violences-conjugales", 20),
    ("cp-sortant-hebergement", "sortant-hebergement", 20),
    ("cp-refugies", "refugie", 20),
    ("cp-handicap", "situation-handicap", 20),
    ("cp-sans-logement", "sans-logement", 15),
    ("cp-premier-quartile", "premier-quartile", 15),
    ("cp-autres-priorites", "autres-priorites-etat", 15),
    ("nm-mutation-prioritaire", "mutation-prioritaire", 15),
    ("nm-renouvellement-urbain", "renouvellement-urbain", 15),
    ("nm-logement-d-abord", "logement-d-abord", 15),
]

CAS = [
    cas("aucun-critere", {}),
    # --- priorités État ou Nantes Métropole : un label actif
    *[cas(f"label-{code}", {critere: pts}, labels=labels(code)) for code, critere, pts in PRIORITES],
    cas("label-sans-rapport-avec-la-grille", {}, labels=labels("eligibilite-als", "cp-fonctionnaires")),
    # cumul « maximum » des priorités État : le plus favorable compte
    cas("etat-dalo-et-sans-logement", {"dalo": 20, "sans-logement": 0}, labels=labels("cp-dalo", "cp-sans-logement")),
    cas(
        "etat-sans-logement-et-quartile",
        {"sans-logement": 15, "premier-quartile": 0},
        labels=labels("cp-premier-quartile", "cp-sans-logement"),
    ),
    cas(
        "etat-quartile-puis-refugie",
        {"refugie": 20, "premier-quartile": 0},
        labels=labels("cp-premier-quartile", "cp-refugies"),
    ),
    cas(
        "nm-maximum",
        {"mutation-prioritaire": 15, "logement-d-abord": 0},
        labels=labels("nm-logement-d-abord", "nm-mutation-prioritaire"),
    ),
    # « priorités État ou priorités Nantes Métropole »
    cas("etat-exclut-nm", {"dalo": 20, "mutation-prioritaire": 0}, labels=labels("cp-dalo", "nm-mutation-prioritaire")),
    cas(
        "etat-a-15-exclut-nm-a-15",
        {"premier-quartile": 15, "logement-d-abord": 0},
        labels=labels("cp-premier-quartile", "nm-logement-d-abord"),
    ),
    # --- motifs
    cas("motif-handicap", {"logement-inadapte-handicap": 20}, motifs=frozenset({"handicap"})),
    cas(
        "motif-handicap-exclu-par-situation-handicap",
        {"situation-handicap": 20, "logement-inadapte-handicap": 0},
        motifs=frozenset({"handicap"}),
        labels=labels("cp-handicap"),
    ),
    cas(
        "motif-handicap-cumule-avec-une-autre-priorite",
        {"dalo": 20, "logement-inadapte-handicap": 20},
        motifs=frozenset({"handicap"}),
        labels=labels("cp-dalo"),
    ),
    # Choix documenté : l'exclusion regarde les critères retenus avant le cumul « maximum ».
    cas(
        "motif-handicap-exclu-meme-si-situation-handicap-s-efface-au-maximum",
        {"dalo": 20, "situation-handicap": 0, "logement-inadapte-handicap": 0},
        motifs=frozenset({"handicap"}),
        labels=labels("cp-dalo", "cp-handicap"),
    ),
    cas("motif-indigne", {"logement-indigne": 8}, motifs=frozenset({"logement_indigne"})),
    cas("motif-non-decent", {"logement-non-decent": 6}, motifs=frozenset({"non_decent"})),
    cas(
        "motifs-indigne-et-non-decent-s-additionnent",
        {"logement-indigne": 8, "logement-non-decent": 6},
        motifs=frozenset({"logement_indigne", "non_decent"}),
    ),
    cas(
        "motif-indigne-exclu-par-autres-priorites",
        {"autres-priorites-etat": 15, "logement-indigne": 0},
        motifs=frozenset({"logement_indigne"}),
        labels=labels("cp-autres-priorites"),
    ),
    cas(
        "motifs-indigne-et-non-decent-exclus-par-autres-priorites",
        {"autres-priorites-etat": 15, "logement-indigne": 0, "logement-non-decent": 0},
        motifs=frozenset({"logement_indigne", "non_decent"}),
        labels=labels("cp-autres-priorites"),
    ),
    cas(
        "motif-indigne-cumule-avec-dalo",
        {"dalo": 20, "logement-indigne": 8},
        motifs=frozenset({"logement_indigne"}),
        labels=labels("cp-dalo"),
    ),
    cas("motif-eloigne-travail", {"eloigne-travail": 5}, motifs=frozenset({"eloigne_travail"})),
    cas(
        "motifs-hors-grille",
        {},
        motifs=frozenset({"trop_cher", "decohabitation", "sans_logement", "violences", "renouvellement_urbain"}),
    ),
    # --- situation professionnelle
    cas("activite-assistant-familial", {"assistant-familial": 8}, activites=frozenset({"assistant_familial"})),
    cas("motif-assistant-maternel", {"assistant-familial": 8}, motifs=frozenset({"assistant_maternel"})),
    cas(
        "activite-et-motif-assistant-une-seule-fois",
        {"assistant-familial": 8},
        activites=frozenset({"assistant_familial", "salarie_prive"}),
        motifs=frozenset({"assistant_maternel"}),
    ),
    cas("autre-activite", {}, activites=frozenset({"salarie_prive", "retraite"})),
    # --- situation actuelle
    cas("sans-abri", {"sans-abri": 10}, statut_occupation="sans_abri"),
    cas("squat", {"sans-abri": 10}, statut_occupation="squat"),
    cas(
        "sans-abri-exclu-par-priorite-etat",
        {"dalo": 20, "sans-abri": 0},
        statut_occupation="sans_abri",
        labels=labels("cp-dalo"),
    ),
    cas(
        "sans-abri-exclu-par-priorite-nm",
        {"mutation-prioritaire": 15, "sans-abri": 0},
        statut_occupation="sans_abri",
        labels=labels("nm-mutation-prioritaire"),
    ),
    cas(
        "sans-abri-exclu-par-etat-quand-nm-est-exclue",
        {"sans-logement": 15, "renouvellement-urbain": 0, "sans-abri": 0},
        statut_occupation="squat",
        labels=labels("cp-sans-logement", "nm-renouvellement-urbain"),
    ),
    cas(
        "sans-abri-avec-un-label-hors-grille",
        {"sans-abri": 10},
        statut_occupation="sans_abri",
        labels=labels("eligibilite-als"),
    ),
    *[
        cas(f"heberge-{statut}", {"heberge-temporaire": 10}, statut_occupation=statut)
        for statut in (
            "logement_temporaire",
            "structure_hebergement",
            "hotel",
            "heberge_famille",
            "heberge_particulier",
        )
    ],
    cas(
        "heberge-exclu-par-priorite-etat",
        {"premier-quartile": 15, "heberge-temporaire": 0},
        statut_occupation="heberge_famille",
        labels=labels("cp-premier-quartile"),
    ),
    cas(
        "heberge-exclu-par-priorite-nm",
        {"logement-d-abord": 15, "heberge-temporaire": 0},
        statut_occupation="hotel",
        labels=labels("nm-logement-d-abord"),
    ),
    cas("logement-foyer", {"logement-foyer": 10}, statut_occupation="logement_foyer"),
    cas(
        "logement-foyer-exclu-par-sortant-hebergement",
        {"sortant-hebergement": 20, "logement-foyer": 0},
        statut_occupation="logement_foyer",
        labels=labels("cp-sortant-hebergement"),
    ),
    cas(
        "logement-foyer-cumule-avec-une-autre-priorite-etat",
        {"dalo": 20, "logement-foyer": 10},
        statut_occupation="logement_foyer",
        labels=labels("cp-dalo"),
    ),
    cas(
        "logement-foyer-cumule-avec-priorite-nm",
        {"mutation-prioritaire": 15, "logement-foyer": 10},
        statut_occupation="logement_foyer",
        labels=labels("nm-mutation-prioritaire"),
    ),
    # Choix de l'EPCI : sortant d'hébergement annule le foyer même quand un autre label État l'emporte au maximum.
    cas(
        "logement-foyer-exclu-par-sortant-hebergement-efface-au-maximum",
        {"dalo": 20, "sortant-hebergement": 0, "logement-foyer": 0},
        statut_occupation="logement_foyer",
        labels=labels("cp-dalo", "cp-sortant-hebergement"),
    ),
    cas("camping", {"camping-etudiant": 10}, statut_occupation="camping"),
    cas("residence-etudiante", {"camping-etudiant": 10}, statut_occupation="residence_etudiante"),
    cas(
        "camping-cumule-avec-priorite",
        {"dalo": 20, "camping-etudiant": 10},
        statut_occupation="camping",
        labels=labels("cp-dalo"),
    ),
    *[cas(f"statut-sans-points-{s}", {}, statut_occupation=s) for s in ("logement_fonction", "proprietaire", "")],
    # --- sous-occupation (locataire HLM) : pièces − occupants
    cas("sous-occupation-1-piece-en-trop", {}, statut_occupation="locataire_hlm", pieces_actuelles=3, nb_occupants=2),
    cas(
        "sous-occupation-moderee-2-pieces",
        {"sous-occupation": 5},
        statut_occupation="locataire_hlm",
        pieces_actuelles=4,
        nb_occupants=2,
    ),
    cas(
        "sous-occupation-caracterisee-3-pieces",
        {"sous-occupation": 9},
        statut_occupation="locataire_hlm",
        pieces_actuelles=5,
        nb_occupants=2,
    ),
    cas(
        "sous-occupation-caracterisee-6-pieces",
        {"sous-occupation": 9},
        statut_occupation="locataire_hlm",
        pieces_actuelles=7,
        nb_occupants=1,
    ),
    cas("sous-occupation-hors-hlm", {}, statut_occupation="locataire_prive", pieces_actuelles=6, nb_occupants=1),
    cas("sous-occupation-pieces-inconnues", {}, statut_occupation="locataire_hlm", nb_occupants=1),
    cas("sous-occupation-occupants-inconnus", {}, statut_occupation="locataire_hlm", pieces_actuelles=6),
    # --- sur-occupation : 9 m² pour 1, 16 m² pour 2, + 9 m² par personne, 70 m² au plus
    cas("sur-occupation-1-personne-8m2", {"sur-occupation": 9}, surface_actuelle=8, nb_occupants=1),
    cas("sur-occupation-1-personne-9m2", {}, surface_actuelle=9, nb_occupants=1),
    cas("sur-occupation-2-personnes-15m2", {"sur-occupation": 9}, surface_actuelle=15, nb_occupants=2),
    cas("sur-occupation-2-personnes-16m2", {}, surface_actuelle=16, nb_occupants=2),
    cas("sur-occupation-3-personnes-24m2", {"sur-occupation": 9}, surface_actuelle=24, nb_occupants=3),
    cas("sur-occupation-3-personnes-25m2", {}, surface_actuelle=25, nb_occupants=3),
    cas("sur-occupation-8-personnes-69m2", {"sur-occupation": 9}, surface_actuelle=69, nb_occupants=8),
    cas("sur-occupation-8-personnes-70m2", {}, surface_actuelle=70, nb_occupants=8),
    cas("sur-occupation-12-personnes-plafond-70m2", {}, surface_actuelle=70, nb_occupants=12),
    cas("sur-occupation-12-personnes-69m2", {"sur-occupation": 9}, surface_actuelle=69, nb_occupants=12),
    cas(
        "sur-occupation-proprietaire",
        {"sur-occupation": 9},
        statut_occupation="proprietaire",
        surface_actuelle=20,
        nb_occupants=3,
    ),
    cas(
        "sur-occupation-locataire-hlm",
        {"sur-occupation": 9},
        statut_occupation="locataire_hlm",
        surface_actuelle=20,
        nb_occupants=3,
    ),
    cas(
        "sur-occupation-heberge-non-cotee",
        {"heberge-temporaire": 10},
        statut_occupation="heberge_particulier",
        surface_actuelle=5,
        nb_occupants=3,
    ),
    cas("sur-occupation-surface-inconnue", {}, nb_occupants=3),
    # --- loyer > 33 % des ressources mensuelles
    cas("taux-effort-33-pct-exactement", {}, loyer=D("330.00"), ressources_mensuelles=D("1000.00")),
    cas("taux-effort-sous-33-pct", {}, loyer=D("329.99"), ressources_mensuelles=D("1000.00")),
    cas("taux-effort-au-dessus", {"taux-effort": 7}, loyer=D("330.01"), ressources_mensuelles=D("1000.00")),
    cas("taux-effort-sans-ressources", {"taux-effort": 7}, loyer=D("500"), ressources_mensuelles=D("0")),
    cas(
        "taux-effort-aides-non-deduites",
        {"taux-effort": 7},
        loyer=D("400"),
        aides=D("200"),
        ressources_mensuelles=D("1000"),
    ),
    cas(
        "taux-effort-locataire-hlm",
        {"taux-effort": 7},
        statut_occupation="locataire_hlm",
        loyer=D("400"),
        ressources_mensuelles=D("1000"),
    ),
    cas(
        "taux-effort-proprietaire-non-cote",
        {},
        statut_occupation="proprietaire",
        loyer=D("900"),
        ressources_mensuelles=D("1000"),
    ),
    cas("taux-effort-sans-loyer", {}, ressources_mensuelles=D("0")),
    cas("taux-effort-loyer-nul", {}, loyer=D("0"), ressources_mensuelles=D("0")),
    cas(
        "occupation-sous-occupation-et-taux-effort-s-additionnent",
        {"sous-occupation": 9, "taux-effort": 7},
        statut_occupation="locataire_hlm",
        pieces_actuelles=5,
        nb_occupants=2,
        loyer=D("400"),
        ressources_mensuelles=D("1000"),
    ),
    # --- toutes familles ensemble
    cas(
        "plusieurs-familles",
        {"dalo": 20, "eloigne-travail": 5, "anciennete": 15, "assistant-familial": 8, "sans-abri": 0},
        statut_occupation="sans_abri",
        labels=labels("cp-dalo"),
        motifs=frozenset({"eloigne_travail"}),
        activites=frozenset({"assistant_familial"}),
        date_depot=ANCIEN,
    ),
]


@pytest.mark.parametrize(("champs", "attendu", "total"), CAS)
def test_critere_de_la_grille_de_nantes(champs, attendu, total):
    r = coter_nantes(faits(**champs))
    assert points(r) == attendu
    assert r.total == total == sum(lg.points for lg in r.lignes)
    for lg in r.lignes:
        assert lg.raison, lg
        if lg.points == 0:
            assert "Non cumulable" in lg.raison, lg


def test_raisons_des_exclusions_en_francais():
    r = coter_nantes(
        faits(
            statut_occupation="sans_abri",
            motifs=frozenset({"handicap"}),
            labels=labels("cp-handicap", "nm-mutation-prioritaire"),
        )
    )
    assert ligne(r, "mutation-prioritaire").raison == (
        "Label « NM - Mutation prioritaire » posé sur la demande. Non cumulable : des points sont déjà accordés au "
        "titre de « Le caractère prioritaire de votre demande : priorités État »."
    )
    assert ligne(r, "logement-inadapte-handicap").raison == (
        "Motif déclaré : « Logement inadapté au handicap ou à la perte d'autonomie ». "
        "Non cumulable avec « Vous êtes en situation de handicap »."
    )
    assert ligne(r, "sans-abri").raison.endswith(
        "Non cumulable avec les points accordés au titre de « Le caractère prioritaire de votre demande : "
        "priorités État »."
    )
    r = coter_nantes(faits(labels=labels("cp-dalo", "cp-refugies", "cp-sans-logement")))
    assert r.total == 20
    assert sorted(points(r).values()) == [0, 0, 20]
    assert ligne(r, "sans-logement").raison.endswith("ne compte que le critère le plus favorable.")


def test_raisons_du_loyer():
    r = coter_nantes(faits(loyer=D("331"), ressources_mensuelles=D("1000")))
    assert ligne(r, "taux-effort").raison == (
        "Loyer de 331 € pour 1\u202f000 € de ressources mensuelles : 33,1 % (seuil 33 %)."
    )
    r = coter_nantes(faits(loyer=D("500"), ressources_mensuelles=D("0")))
    assert "sans ressources déclarées" in ligne(r, "taux-effort").raison


def test_sans_grille_pas_de_points():
    r = coter(faits(labels=labels("cp-dalo"), statut_occupation="sans_abri", epci=None), None, LE)
    assert (r.grille, r.lignes, r.total, r.prochaine_echeance) == (None, [], 0, None)


# ---------------------------------------------------------------- ancienneté


@pytest.mark.parametrize(
    ("depot", "le", "attendu", "echeance"),
    [
        (LE, LE, None, date(2025, 12, 15)),
        (date(2024, 12, 16), LE, None, date(2025, 6, 16)),  # 5 mois et 30 jours
        (date(2024, 12, 15), LE, 5, date(2026, 6, 15)),  # 6 mois pile
        (date(2023, 12, 16), LE, 5, date(2025, 6, 16)),  # 17 mois
        (date(2023, 12, 15), LE, 10, date(2026, 12, 15)),  # 18 mois
        (date(2022, 6, 16), LE, 10, date(2025, 6, 16)),  # 35 mois
        (date(2022, 6, 15), LE, 15, None),  # 36 mois
        (date(2010, 1, 1), LE, 15, None),
        # fins de mois : 31 août + 6 mois = 28 février (29 les années bissextiles)
        (date(2024, 8, 31), date(2025, 2, 27), None, date(2025, 2, 28)),
        (date(2024, 8, 31), date(2025, 2, 28), 5, date(2026, 2, 28)),
        (date(2023, 8, 31), date(2024, 2, 28), None, date(2024, 2, 29)),
        (date(2023, 8, 31), date(2024, 2, 29), 5, date(2025, 2, 28)),
        (date(2024, 2, 29), date(2025, 8, 29), 10, date(2027, 2, 28)),  # 18 mois
        (date(2024, 2, 29), date(2025, 8, 28), 5, date(2025, 8, 29)),
    ],
)
def test_anciennete_par_bandes(depot, le, attendu, echeance):
    r = coter_nantes(faits(date_depot=depot), le)
    assert points(r).get("anciennete") == attendu
    assert r.total == (attendu or 0)
    assert r.prochaine_echeance == echeance
    if attendu is not None:
        lg = ligne(r, "anciennete")
        assert lg.jusqu_au == (echeance - timedelta(days=1) if echeance else None)
        assert f"Demande déposée le {depot:%d/%m/%Y}" in lg.raison


@pytest.mark.parametrize("depot", [date(2023, 1, 31), date(2023, 8, 31), date(2024, 2, 29), date(2024, 3, 1), LE])
def test_anciennete_change_le_jour_de_l_echeance_et_pas_avant(depot):
    le = depot
    vus = []
    while True:
        r = coter_nantes(faits(date_depot=depot), le)
        vus.append(r.total)
        if r.prochaine_echeance is None:
            break
        veille = coter_nantes(faits(date_depot=depot), r.prochaine_echeance - timedelta(days=1))
        assert veille.total == r.total
        assert coter_nantes(faits(date_depot=depot), r.prochaine_echeance).total != r.total
        le = r.prochaine_echeance
    assert vus == [0, 5, 10, 15]


def test_ajouter_mois_et_mois_entre_aux_fins_de_mois():
    assert ajouter_mois(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert ajouter_mois(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert ajouter_mois(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert ajouter_mois(date(2024, 12, 31), 2) == date(2025, 2, 28)
    assert ajouter_mois(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert ajouter_mois(date(2025, 5, 15), -17) == date(2023, 12, 15)
    assert ajouter_mois(date(2025, 12, 15), 1) == date(2026, 1, 15)
    assert mois_entre(date(2025, 1, 31), date(2025, 2, 28)) == 1
    assert mois_entre(date(2025, 1, 31), date(2025, 2, 27)) == 0
    assert mois_entre(date(2025, 1, 31), date(2025, 3, 30)) == 1
    assert mois_entre(date(2025, 1, 31), date(2025, 3, 31)) == 2
    assert mois_entre(date(2025, 3, 1), date(2025, 2, 1)) == 0


def test_palier_de_min_inclus_max_exclu():
    paliers = [{"min": 6, "max": 18, "points": 5}, {"min": 18, "max": None, "points": 10}]
    assert palier_de(paliers, 5) is None
    assert palier_de(paliers, 6)["points"] == 5
    assert palier_de(paliers, 17)["points"] == 5
    assert palier_de(paliers, 18)["points"] == 10
    assert palier_de(paliers, 500)["points"] == 10


# ---------------------------------------------------------------- décotes après refus

R = date(2023, 8, 31)  # dernier refus : fins de mois (+12 → 31/08/2024, +18 → 28/02/2025, +24 → 31/08/2025)


def refus_espaces(n: int, dernier: date = R) -> tuple[date, ...]:
    return tuple(dernier - timedelta(days=20 * i) for i in reversed(range(n)))


@pytest.mark.parametrize(
    ("evenement", "critere", "n", "attendu", "duree"),
    [
        ("refus_positionnement", "refus-positionnement", 1, -5, 12),
        ("refus_positionnement", "refus-positionnement", 2, -5, 12),
        ("refus_positionnement", "refus-positionnement", 3, -5, 12),  # borne partagée : palier favorable
        ("refus_positionnement", "refus-positionnement", 4, -10, 18),
        ("refus_positionnement", "refus-positionnement", 5, -10, 18),
        ("refus_positionnement", "refus-positionnement", 6, -15, 24),
        ("refus_positionnement", "refus-positionnement", 9, -15, 24),
        ("refus_attribution", "refus-attribution", 2, -15, 24),
        ("refus_attribution", "refus-attribution", 3, -15, 24),
        ("refus_attribution", "refus-attribution", 4, -20, 24),
        ("refus_attribution", "refus-attribution", 7, -20, 24),
    ],
)
def test_decote_par_palier_jusqu_a_son_expiration(evenement, critere, n, attendu, duree):
    fin = ajouter_mois(R, duree)
    champ = "refus_positionnement" if evenement == "refus_positionnement" else "refus_attribution"
    f = faits(date_depot=ANCIEN, **{champ: refus_espaces(n)})
    for le in (R, fin - timedelta(days=1)):
        r = coter_nantes(f, le)
        lg = ligne(r, critere)
        assert lg.points == attendu
        assert lg.jusqu_au == fin - timedelta(days=1)
        assert f"décote jusqu'au {fin - timedelta(days=1):%d/%m/%Y}" in lg.raison
        assert r.prochaine_echeance == fin
        assert r.total == 15 + attendu
    r = coter_nantes(f, fin)
    assert critere not in points(r)
    assert (r.total, r.prochaine_echeance) == (15, None)


def test_fins_de_decote_aux_fins_de_mois():
    assert ajouter_mois(R, 12) == date(2024, 8, 31)
    assert ajouter_mois(R, 18) == date(2025, 2, 28)
    assert ajouter_mois(R, 24) == date(2025, 8, 31)
    f = faits(date_depot=ANCIEN, refus_positionnement=refus_espaces(4))
    assert ligne(coter_nantes(f, date(2025, 2, 27)), "refus-positionnement").points == -10
    assert "refus-positionnement" not in points(coter_nantes(f, date(2025, 2, 28)))


def test_un_seul_refus_d_attribution_ne_decote_pas():
    r = coter_nantes(faits(refus_attribution=(R,)), R)
    assert "refus-attribution" not in points(r)


def test_les_refus_comptes_sont_ceux_des_24_mois_qui_finissent_au_dernier():
    anciens = (mois_avant(R, 30), mois_avant(R, 25), mois_avant(R, 24))  # 24 mois pile : hors fenêtre
    recents = (mois_avant(R, 23), mois_avant(R, 12), R)
    r = coter_nantes(faits(refus_positionnement=anciens + recents), R)
    lg = ligne(r, "refus-positionnement")
    assert lg.points == -5
    assert lg.raison == (
        "3 refus d'être positionné en CAL après un contact (dernier le 31/08/2023) : décote jusqu'au 30/08/2024."
    )


def test_un_refus_posterieur_a_la_date_de_calcul_ne_compte_pas_encore():
    f = faits(date_depot=ANCIEN, refus_positionnement=(R, R + timedelta(days=10)))
    r = coter_nantes(f, R + timedelta(days=5))
    lg = ligne(r, "refus-positionnement")
    assert (lg.points, lg.jusqu_au) == (-5, date(2024, 8, 30))
    assert r.prochaine_echeance == R + timedelta(days=10)  # le calcul de nuit le comptera ce jour-là
    assert ligne(coter_nantes(f, R + timedelta(days=10)), "refus-positionnement").jusqu_au == date(2024, 9, 9)
    assert "refus-positionnement" not in points(coter_nantes(faits(refus_positionnement=(R,)), R - timedelta(days=1)))


def test_decotes_de_positionnement_et_d_attribution_s_additionnent():
    f = faits(date_depot=ANCIEN, refus_positionnement=refus_espaces(4), refus_attribution=refus_espaces(2))
    r = coter_nantes(f, R)
    assert points(r) == {"anciennete": 15, "refus-positionnement": -10, "refus-attribution": -15}
    assert r.total == -10
    assert r.prochaine_echeance == ajouter_mois(R, 18)


# ---------------------------------------------------------------- passage en CAL sans être premier

P = date(2024, 2, 29)


@pytest.mark.parametrize(
    ("passages", "attendu"),
    [
        (((P, 2),), 4),
        (((P, 5),), 4),
        (((P, 1),), None),
        (((P, None),), None),
        (((P, 1), (P - timedelta(days=40), 3)), 4),
    ],
)
def test_passage_en_cal_sans_etre_premier(passages, attendu):
    r = coter_nantes(faits(passages_cal=passages), P)
    assert points(r).get("passage-cal") == attendu
    if attendu:
        assert ligne(r, "passage-cal").raison.startswith("Passage en CAL le ")


def test_points_de_cal_pendant_12_mois_depuis_le_dernier_passage():
    f = faits(date_depot=ANCIEN, passages_cal=((P - timedelta(days=100), 3), (P, 2)))
    fin = date(2025, 2, 28)  # 29 février + 12 mois
    r = coter_nantes(f, fin - timedelta(days=1))
    lg = ligne(r, "passage-cal")
    assert (lg.points, lg.jusqu_au, r.prochaine_echeance) == (4, fin - timedelta(days=1), fin)
    assert lg.raison == (
        "Passage en CAL le 29/02/2024 sans être classé en première position : points jusqu'au 27/02/2025."
    )
    r = coter_nantes(f, fin)
    assert ("passage-cal" in points(r), r.total, r.prochaine_echeance) == (False, 15, None)
    # un passage postérieur à la date de calcul ne compte pas encore : il donne l'échéance
    r = coter_nantes(faits(date_depot=ANCIEN, passages_cal=((P, 2),)), P - timedelta(days=1))
    assert ("passage-cal" in points(r), r.prochaine_echeance) == (False, P)


def test_prochaine_echeance_est_la_plus_proche():
    depot = date(2023, 9, 10)  # 18 mois le 10/03/2025
    f = faits(date_depot=depot, refus_positionnement=(date(2024, 12, 1),), passages_cal=((date(2024, 7, 1), 2),))
    r = coter_nantes(f, date(2025, 1, 15))
    assert points(r) == {"anciennete": 5, "refus-positionnement": -5, "passage-cal": 4}
    assert r.prochaine_echeance == date(2025, 3, 10)
    r = coter_nantes(f, date(2025, 3, 10))
    assert points(r)["anciennete"] == 10
    assert r.prochaine_echeance == date(2025, 7, 1)  # fin des points de CAL
