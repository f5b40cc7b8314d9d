"""Accord du recalcul du fichier en SQL (``cotation.compilation_sql``) avec le moteur Python, la référence.

Chaque test recalcule le même fichier deux fois depuis le même état (la seconde fois après retour au point de
sauvegarde) : par le moteur Python (``services.recalculer_fichier_python``) puis par les grilles compilées en
SQL (``compilation_sql.recalculer_fichier_sql``, sans repli sur Python), et compare ligne à ligne les résultats
écrits (grille, total, lignes JSON relues en objets Python, prochaine échéance, commune, typologie) et les lignes
d'historique des totaux ajoutées. Fichier généré (``demo.generateur``, événements et labels de la démo) à
plusieurs dates, puis cas aux bornes de chaque règle, sur la grille de Nantes Métropole et sur une grille de
test qui utilise toutes les règles, les exclusions, les égalités du cumul « maximum » et le plancher.
"""

from __future__ import annotations

import datetime
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from cotation.calcul import compilation_sql, faits, services
from cotation.grilles import services as grilles
from cotation.grilles.grille_nantes import GRILLE_NANTES_METROPOLE
from cotation.models import HistoriqueCotation, ResultatCotation
from demandes.cycle import services as demandes
from demandes.models import Demande, Evenement, Label, TypeLabel
from demo.cotation_sql import historique_demo
from demo.generateur import Parametres, generer
from fdls.socle.dates import ajouter_mois
from tests.monde.dossiers import enregistrer
from tests.monde.territoires import territoire_nantes

COLONNES = ("demande_id", "grille_id", "total", "lignes", "prochaine_echeance", "commune_id", "typologie", "territoire")
AUTOMATE = demandes.AUTOMATE
D = Decimal


def _etat() -> tuple[dict, Counter]:
    resultats = {(r[0], r[7]): r for r in ResultatCotation.objects.values_list(*COLONNES)}
    historique = Counter(HistoriqueCotation.objects.values_list("demande_id", "grille_id", "total", "motif"))
    return resultats, historique


def deux_chemins(le: date, *, taille_tranche: int = 500):
    """Le fichier recoté à ``le`` par le moteur Python puis, depuis le même état, par le SQL.

    Rend (résultats Python, résultats SQL, historique ajouté par chacun, bilan SQL) ; la base revient à son état."""
    _, avant = _etat()
    with transaction.atomic():
        services.recalculer_fichier_python(le=le, taille_paquet=97)
        python, hist_python = _etat()
        transaction.set_rollback(True)
    with transaction.atomic():
        debut = timezone.now()
        comptes = compilation_sql.recalculer_fichier_sql(
            le, grilles=services.grilles_en_vigueur(), taille_tranche=taille_tranche, connexions=1
        )
        sql, hist_sql = _etat()
        actives = set(Demande.objects.filter(etat=Demande.Etat.ACTIVE).values_list("pk", flat=True))
        recalculees = set(ResultatCotation.objects.filter(calcule_le__gte=debut).values_list("demande_id", flat=True))
        assert recalculees == actives  # chaque demande active est réécrite (calcule_le), aucune autre
        transaction.set_rollback(True)
    assert comptes.demandes == len(actives)
    assert comptes.sans_grille == sum(1 for (pk, _), r in sql.items() if pk in actives and r[1] is None)
    assert comptes.resultats == sum(1 for (pk, _) in sql if pk in actives)
    assert comptes.changees == sum((hist_sql - avant).values())
    return python, sql, hist_python - avant, hist_sql - avant, comptes


def verifier_accord(le: date, **options) -> dict:
    """Les deux chemins écrivent les mêmes résultats et le même historique ; rend les résultats."""
    python, sql, hist_python, hist_sql, _ = deux_chemins(le, **options)
    differentes = sorted(pk for pk in python.keys() | sql.keys() if python.get(pk) != sql.get(pk))
    details = []
    for pk in differentes[:5]:
        p, s = python.get(pk), sql.get(pk)
        if p is None or s is None:
            details.append(f"{pk} : Python {p} / SQL {s}")
            continue
        for nom, a, b in zip(COLONNES, p, s, strict=True):
            if a != b:
                details.append(f"{pk} {nom} :\n  Python {a}\n  SQL    {b}")
    assert not differentes, f"{len(differentes)} résultats diffèrent à la date {le} :\n" + "\n".join(details)
    assert hist_python == hist_sql
    return sql


def raisons(resultats: dict) -> list[str]:
    return [lg["raison"] for r in resultats.values() for lg in r[3]]


def lignes_de(resultats: dict, demande) -> dict[str, dict]:
    [resultat] = [r for (pk, _), r in resultats.items() if pk == demande.pk]
    return {lg["critere"]: lg for lg in resultat[3]}


# ---------------------------------------------------------------- un fichier généré


@pytest.fixture
def fichier(partenaires):
    generer(Parametres(actives=1200, graine=11, part_doublons=0))
    grilles.installer_grille_nantes()
    assert historique_demo() > 0  # événements d'instruction et labels de la démonstration
    services.vider_cache()
    services.recalculer_fichier_python()  # état de départ : le fichier coté aujourd'hui


@pytest.mark.parametrize("jours", [0, 40, 400, -200])
def test_le_fichier_genere_est_cote_a_l_identique(fichier, jours):
    le = timezone.localdate() + timedelta(days=jours)
    resultats = verifier_accord(le, taille_tranche=700)
    # le fichier exerce les règles : lignes de chaque sorte, exclusions, décotes, demandes hors grille
    criteres = Counter(lg["critere"] for r in resultats.values() for lg in r[3])
    for critere in ("anciennete", "taux-effort", "sous-occupation", "heberge-temporaire"):
        assert criteres[critere] > 0, critere
    assert any(r[1] is None for r in resultats.values())
    assert any(lg["exclusion"] for r in resultats.values() for lg in r[3])
    if 0 <= jours <= 40:  # décotes et points de CAL limités dans le temps
        assert criteres["refus-positionnement"] > 0
        assert criteres["passage-cal"] > 0


def test_deux_tranches_ou_une_donnent_le_meme_fichier(fichier):
    le = timezone.localdate() + timedelta(days=40)
    _, un, _, hist_un, _ = deux_chemins(le, taille_tranche=10**9)
    _, petites, _, hist_petites, comptes = deux_chemins(le, taille_tranche=37)
    assert (un, hist_un) == (petites, hist_petites)
    assert comptes.tranches > 10


# ---------------------------------------------------------------- cas aux bornes, grille de Nantes Métropole


@pytest.fixture
def m():
    return territoire_nantes(grille=True)


def poser(demande, *codes: str, le: date = date(2024, 1, 1)) -> None:
    for code in codes:
        Label.objects.create(
            demande=demande, type=TypeLabel.objects.get(code=code), date_pose=le, auteur_libelle="test"
        )


def evenement(demande, type_: str, quand, **details) -> None:
    """Un événement daté ``quand`` (jour : 10 h à Paris ; ou horodatage exact)."""
    if isinstance(quand, datetime.datetime):
        moment = quand
    else:
        moment = timezone.make_aware(datetime.datetime.combine(quand, datetime.time(10)))
    demandes.ecrire_evenement(demande, type_, AUTOMATE, date=moment, details=details or None)


LE = date(2025, 3, 31)


def test_loyer_ressources_et_arrondis(m):
    depot = date(2024, 8, 31)
    cas = {
        # 33,45 % exactement : arrondi au pair (33,4 %), pas « au plus loin de zéro » (33,5 %)
        "pair_bas": {"loyer_actuel": D("669.00"), "salaire": D("2000.00")},
        # 33,55 % : 33,6 % (le chiffre pair)
        "pair_haut": {"loyer_actuel": D("671.00"), "salaire": D("2000.00")},
        # euros : 1 234,50 € → « 1 234 € », 1 235,50 € → « 1 236 € » (espace fine insécable)
        "euros_pair": {"loyer_actuel": D("1234.50"), "salaire": D("1235.50")},
        # sans ressources déclarées : le critère est rempli
        "sans_ressources": {"loyer_actuel": D("420.00"), "salaire": None},
        # exactement 33 % : ne compte pas
        "seuil_exact": {"loyer_actuel": D("660.00"), "salaire": D("2000.00")},
        "grands_nombres": {"loyer_actuel": D("12345.67"), "salaire": D("1234567.89")},
        "loyer_nul": {"loyer_actuel": D("0.00"), "salaire": D("100.00")},
        "hlm_aides": {"statut_occupation": "locataire_hlm", "loyer_actuel": D("500.00"), "aides_logement": D("600.00")},
        "proprietaire": {"statut_occupation": "proprietaire", "loyer_actuel": D("900.00"), "salaire": D("1000.00")},
    }
    demandes_ = {nom: enregistrer(m, date_depot=depot, **champs) for nom, champs in cas.items()}
    resultats = verifier_accord(LE)
    taux = {nom: lignes_de(resultats, d).get("taux-effort") for nom, d in demandes_.items()}
    assert "33,4 %" in taux["pair_bas"]["raison"]
    assert "33,6 %" in taux["pair_haut"]["raison"]
    assert "Loyer de 1\u202f234 € pour 1\u202f236 €" in taux["euros_pair"]["raison"]
    assert "sans ressources déclarées" in taux["sans_ressources"]["raison"]
    assert taux["seuil_exact"] is None
    assert taux["loyer_nul"] is None
    assert taux["proprietaire"] is None
    assert taux["hlm_aides"] is not None  # aides non déduites (deduire_aides: false)


def test_surfaces_pieces_et_occupants(m):
    depot = date(2024, 8, 31)
    cas = [
        {"statut_occupation": "locataire_prive", "surface_actuelle": 16, "nb_occupants_actuels": 2},  # à la norme
        {"statut_occupation": "locataire_prive", "surface_actuelle": 15, "nb_occupants_actuels": 2},
        {"statut_occupation": "locataire_hlm", "surface_actuelle": 8, "nb_occupants_actuels": 1},
        {"statut_occupation": "proprietaire", "surface_actuelle": 69, "nb_occupants_actuels": 9},  # plafond de 70 m²
        {"statut_occupation": "proprietaire", "surface_actuelle": 70, "nb_occupants_actuels": 9},
        {"statut_occupation": "locataire_prive", "surface_actuelle": 0, "nb_occupants_actuels": 3},
        {"statut_occupation": "locataire_hlm", "pieces_actuelles": 4, "nb_occupants_actuels": 2},  # 2 pièces en trop
        {"statut_occupation": "locataire_hlm", "pieces_actuelles": 6, "nb_occupants_actuels": 2},
        {"statut_occupation": "locataire_hlm", "pieces_actuelles": 3, "nb_occupants_actuels": 2},
        {"statut_occupation": "locataire_hlm", "pieces_actuelles": 5, "nb_occupants_actuels": 0},  # le ménage compte
        {"statut_occupation": "locataire_prive", "pieces_actuelles": 6, "nb_occupants_actuels": 1},
    ]
    for champs in cas:
        enregistrer(m, date_depot=depot, **champs)
    resultats = verifier_accord(LE)
    criteres = Counter(lg["critere"] for r in resultats.values() for lg in r[3])
    assert criteres["sur-occupation"] == 3
    assert criteres["sous-occupation"] == 3


def test_anciennete_fins_de_mois_et_paliers(m):
    # 31/08 → 28/02 : 6 mois révolus (31/08 + 6 mois = 28/02) ; ``age()`` de PostgreSQL dirait 5 mois 28 jours
    depots = [date(2024, 8, 31), date(2024, 9, 1), date(2023, 9, 30), date(2022, 2, 28), date(2021, 2, 28)]
    depots += [date(2024, 2, 29), date(2023, 3, 31), LE, LE + timedelta(days=3)]
    for depot in depots:
        enregistrer(m, date_depot=depot)
    for le in (date(2025, 2, 28), LE, date(2025, 2, 27), date(2024, 2, 29), date(2027, 3, 1)):
        verifier_accord(le)


def test_refus_periode_palier_et_oubli(m):
    dernier = date(2025, 3, 31)
    # 4 refus : le plus ancien tombe pile au début de la période de 24 mois (31/03/2023, exclu) → 3 refus comptés
    a = enregistrer(m, date_depot=date(2020, 1, 15))
    for jour in (date(2023, 3, 31), date(2024, 1, 10), date(2024, 12, 1), dernier):
        evenement(a, Evenement.Type.REFUS_POSITIONNEMENT, jour)
    # 4 refus dans la période : palier « 4 ou 5 » ; puis un refus à venir (échéance)
    b = enregistrer(m, date_depot=date(2020, 1, 15))
    for jour in (date(2023, 4, 1), date(2024, 1, 10), date(2024, 12, 1), dernier, date(2025, 6, 1)):
        evenement(b, Evenement.Type.REFUS_POSITIONNEMENT, jour)
    # refus d'attribution : 2 le même jour ; puis un seul
    c = enregistrer(m, date_depot=date(2020, 1, 15))
    evenement(c, Evenement.Type.REFUS_ATTRIBUTION, date(2024, 2, 29))
    evenement(c, Evenement.Type.REFUS_ATTRIBUTION, date(2024, 2, 29))
    d = enregistrer(m, date_depot=date(2020, 1, 15))
    evenement(d, Evenement.Type.REFUS_ATTRIBUTION, date(2024, 2, 29))
    # jour civil à Paris : 23 h 30 UTC le 31/12 est le 1er janvier à Paris
    e = enregistrer(m, date_depot=date(2020, 1, 15))
    tard = datetime.datetime(2024, 12, 31, 23, 30, tzinfo=datetime.UTC)
    evenement(e, Evenement.Type.REFUS_POSITIONNEMENT, tard)
    # passages en CAL : rangs écrits de plusieurs façons (seul un rang > 1 compte)
    f = enregistrer(m, date_depot=date(2020, 1, 15))
    for jour, rang in [(date(2024, 5, 31), "2"), (date(2024, 6, 30), " 3 "), (date(2024, 7, 31), "1")]:
        evenement(f, Evenement.Type.PASSAGE_CAL, jour, rang=rang)
    g = enregistrer(m, date_depot=date(2020, 1, 15))
    for jour, rang in [(date(2024, 9, 1), 4), (date(2024, 10, 1), "2.0"), (date(2024, 11, 1), "x"), (LE, "+2")]:
        evenement(g, Evenement.Type.PASSAGE_CAL, jour, rang=rang)
    evenement(g, Evenement.Type.PASSAGE_CAL, date(2024, 12, 1))  # sans rang
    evenement(g, Evenement.Type.PASSAGE_CAL, date(2025, 5, 2), rang=3)  # à venir
    dates = [
        LE,
        ajouter_mois(date(2024, 12, 1), 12),
        date(2025, 12, 31),
        date(2026, 2, 28),
        date(2026, 3, 1),
        date(2026, 9, 30),
        date(2026, 10, 1),
        date(2027, 4, 1),
        date(2024, 6, 1),
    ]
    for le in dates:
        resultats = verifier_accord(le)
        if le == LE:
            assert lignes_de(resultats, a)["refus-positionnement"]["raison"].startswith("3 refus")
            assert lignes_de(resultats, b)["refus-positionnement"]["points"] == -10
            assert "refus-attribution" in lignes_de(resultats, c)
            assert "refus-attribution" not in lignes_de(resultats, d)
            assert "(dernier le 01/01/2025)" in lignes_de(resultats, e)["refus-positionnement"]["raison"]
            assert "30/06/2024" in lignes_de(resultats, f)["passage-cal"]["raison"]
            assert "31/03/2025" in lignes_de(resultats, g)["passage-cal"]["raison"]


def test_labels_exclusions_et_cumul_maximum(m):
    depot = date(2023, 1, 15)
    cas = [
        ("cp-dalo", "cp-handicap"),  # égalité à 20 : la première ligne de la grille compte
        ("cp-handicap", "cp-dalo", "cp-refugies"),
        ("cp-sans-logement", "cp-premier-quartile"),  # égalité à 15
        ("cp-dalo", "nm-mutation-prioritaire", "nm-logement-d-abord"),  # « État ou NM »
        ("nm-logement-d-abord", "nm-mutation-prioritaire"),
        ("cp-handicap",),
        ("cp-autres-priorites",),
        (),
    ]
    for codes in cas:
        for statut, motifs in [("sans_abri", ["handicap"]), ("logement_foyer", ["logement_indigne", "non_decent"])]:
            d = enregistrer(m, date_depot=depot, statut_occupation=statut, motifs=motifs)
            poser(d, *codes)
    sortant = enregistrer(m, date_depot=depot, statut_occupation="logement_foyer")
    poser(sortant, "cp-sortant-hebergement")
    resultats = verifier_accord(LE)
    exclusions = {lg["exclusion"] for r in resultats.values() for lg in r[3]} - {""}
    assert len(exclusions) >= 5  # « ou », « sauf si » (critère, familles), cumul « maximum »


# ---------------------------------------------------------------- une grille qui utilise toutes les règles

GRILLE_TEST = {
    "libelle": "Grille d'essai (toutes les règles)",
    "date_effet": "2020-01-01",
    "total_plancher": -12,
    "familles": [
        {"code": "etat", "libelle": "Priorités « État »", "cumul": "maximum"},
        {"code": "local", "libelle": 'Priorités "locales"', "cumul": "maximum", "exclue_si_familles": ["etat"]},
        {"code": "divers", "libelle": "Divers \\ autres"},
        {"code": "historique", "libelle": "Historique"},
    ],
    "criteres": [
        ("etat", "a", "Critère A", "label", {"labels": ["cp-refugies", "cp-dalo"]}, 20),
        ("etat", "b", "Critère B", "label", {"labels": ["cp-handicap"]}, 20),
        ("etat", "c", "Critère C", "label", {"labels": ["cp-sans-logement"]}, 25),
        ("local", "l1", "Local 1", "label", {"labels": ["nm-mutation-prioritaire"]}, 7),
        ("local", "l2", "Local 2", "label", {"labels": ["nm-logement-d-abord"]}, 7),
        ("divers", "motif", 'Motif "cité"', "motif", {"motifs": ["handicap", "sante"]}, 3, {"exclu_si": ["b", "a"]}),
        ("divers", "act", "Activité", "activite", {"activites": ["etudiant", "assistant_familial"]}, 2),
        ("divers", "act-seule", "Activité sans motif", "activite", {}, 2),
        (
            "divers",
            "abri",
            "Sans abri",
            "statut_occupation",
            {"statuts": ["sans_abri", "hotel"]},
            6,
            {"exclu_si_familles": ["local", "etat"]},
        ),
        (
            "divers",
            "anc",
            "Ancienneté",
            "anciennete",
            {},
            0,
            {
                "paliers": [
                    {"min": 0, "max": 3, "points": 0},
                    {"min": 3, "max": 12, "points": 1, "libelle": "Moins d'un an « tout juste »"},
                    {"min": 12, "max": 25, "points": 4},
                    {"min": 25, "max": None, "points": 8},
                ]
            },
        ),
        (
            "divers",
            "sous",
            "Sous-occupation",
            "sous_occupation",
            {"statuts": ["locataire_hlm", "locataire_prive"]},
            0,
            {"paliers": [{"min": 1, "max": 2, "points": 1}, {"min": 2, "points": 3}]},
        ),
        ("divers", "sur-defauts", "Sur-occupation (défauts)", "sur_occupation", {"statuts": ["locataire_prive"]}, 2),
        (
            "divers",
            "sur-decimaux",
            "Sur-occupation (décimaux)",
            "sur_occupation",
            {
                "statuts": ["locataire_prive", "locataire_hlm"],
                "surface_une_personne": 9.5,
                "surface_deux_personnes": 16,
                "surface_par_personne_en_plus": 8.3,
                "surface_plafond": 41.0,
            },
            2,
        ),
        ("divers", "effort-defauts", "Taux d'effort (défauts)", "taux_effort", {"statuts": ["locataire_prive"]}, 1),
        (
            "divers",
            "effort-aides",
            "Taux d'effort (aides déduites)",
            "taux_effort",
            {"statuts": ["locataire_prive", "locataire_hlm"], "seuil_pct": 25.5, "deduire_aides": True},
            1,
        ),
        (
            "historique",
            "refus-defauts",
            "Refus (paramètres par défaut)",
            "refus",
            {},
            0,
            {
                "duree_mois": 9,
                "paliers": [
                    {"min": 1, "max": 2, "points": -2},
                    {"min": 2, "max": 3, "points": -4, "duree_mois": 3},
                    {"min": 3, "points": -6, "duree_mois": 0},
                ],
            },
        ),
        (
            "historique",
            "refus-att",
            "Refus d'attribution (6 mois)",
            "refus",
            {"evenement": "refus_attribution", "periode_mois": 6},
            0,
            {"paliers": [{"min": 1, "points": -9}]},
        ),
        ("historique", "cal-sans-fin", "CAL sans limite", "passage_cal_non_premier", {}, 1),
        ("historique", "cal-3", "CAL 3 mois", "passage_cal_non_premier", {}, 2, {"duree_mois": 3}),
    ],
}


@pytest.fixture
def essai(m):
    """La grille d'essai en vigueur sur le territoire d'Ancenis (hors Nantes Métropole)."""
    grille = grilles.installer_grille(GRILLE_TEST, m.ancenis.epci_id)
    services.vider_cache()
    m.essai = grille
    return m


def enregistrer_ancenis(m, **champs):
    return enregistrer(m, communes=[m.ancenis], **champs)


def test_grille_d_essai_toutes_les_regles(essai):
    m = essai
    depot = date(2023, 2, 28)
    labels_ = [
        ("cp-dalo", "cp-handicap"),
        ("cp-handicap", "cp-refugies"),
        ("cp-sans-logement", "cp-dalo", "cp-handicap"),
        ("nm-logement-d-abord", "nm-mutation-prioritaire"),
        ("nm-mutation-prioritaire", "cp-handicap"),
        (),
    ]
    for i, codes in enumerate(labels_):
        d = enregistrer_ancenis(
            m,
            date_depot=ajouter_mois(depot, -7 * i),
            statut_occupation=["sans_abri", "hotel", "locataire_prive", "locataire_hlm"][i % 4],
            motifs=[["sante"], ["handicap", "assistant_maternel"], ["trop_cher"], ["handicap"]][i % 4],
            surface_actuelle=[16, 40, 25, 9][i % 4],
            pieces_actuelles=[3, 4, 1, 2][i % 4],
            nb_occupants_actuels=[1, 2, 3, 4][i % 4],
            loyer_actuel=[D("600.00"), D("510.00"), D("300.00"), D("333.33")][i % 4],
            aides_logement=[D("100.00"), None, D("300.00"), D("50.25")][i % 4],
            salaire=[D("2000.00"), D("2000.00"), None, D("1000.00")][i % 4],
        )
        poser(d, *codes)
        for k in range(i % 4):
            evenement(d, Evenement.Type.REFUS_POSITIONNEMENT, date(2024, 11, 30) + timedelta(days=20 * k))
        if i % 2:
            evenement(d, Evenement.Type.REFUS_ATTRIBUTION, date(2025, 1, 31))
            evenement(d, Evenement.Type.PASSAGE_CAL, date(2025, 1, 31), rang=2)
    for occupants in (1, 2, 3, 5, 6):
        for surface in (9, 10, 16, 24, 25, 40, 41):
            enregistrer_ancenis(
                m,
                date_depot=depot,
                statut_occupation="locataire_hlm",
                surface_actuelle=surface,
                nb_occupants_actuels=occupants,
            )
    etudiant = demandes.charger_dossier(enregistrer_ancenis(m, date_depot=depot))
    etudiant.personnes[0].personne.activite = "etudiant"
    demandes.modifier_demande(etudiant, auteur=m.auteur)
    # plancher : trois refus, rien d'autre
    plancher = enregistrer_ancenis(m, date_depot=LE, statut_occupation="proprietaire", motifs=["trop_cher"])
    for jour in (date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)):
        evenement(plancher, Evenement.Type.REFUS_POSITIONNEMENT, jour)
    evenement(plancher, Evenement.Type.REFUS_ATTRIBUTION, date(2025, 3, 1))
    enregistrer(m, date_depot=depot, statut_occupation="sans_abri")  # Nantes Métropole : l'autre grille

    for le in (LE, date(2025, 4, 1), date(2025, 9, 1), date(2025, 12, 31), date(2026, 6, 1), date(2022, 1, 1)):
        resultats = verifier_accord(le)
        if le == LE:
            textes = raisons(resultats)
            assert any("9.5 m²" in t for t in textes)
            assert any("41.0 m²" in t for t in textes)
            assert any("(seuil 25.5 %)" in t for t in textes)
            assert any("(seuil 33 %)" in t for t in textes)
            assert lignes_de(resultats, plancher)["plancher"]["points"] > 0
            exclusions = {lg["exclusion"] for r in resultats.values() for lg in r[3]} - {""}
            assert any("Priorités « État »" in e for e in exclusions)
            assert any('Priorités "locales"' in e for e in exclusions)
            assert any("ne compte que le critère le plus favorable" in e for e in exclusions)


def test_une_grille_que_le_sql_ne_sait_pas_reproduire_passe_par_le_moteur_python(essai):
    m = essai
    d = enregistrer_ancenis(m, date_depot=date(2024, 1, 31), statut_occupation="sans_abri")
    critere = m.essai.criteres.get(code="anc")
    critere.paliers = [{"min": 6.0, "points": 1}]  # un nombre décimal : Python écrit « 6.0 mois et plus »
    critere.save()
    services.vider_cache()
    with pytest.raises(compilation_sql.NonTraduisible):
        compilation_sql.traduire_grilles(services.grilles_en_vigueur(), LE)
    bilan = services.recalculer_fichier(le=LE)
    assert bilan.demandes == Demande.objects.filter(etat="active").count()
    [ligne] = [lg for lg in ResultatCotation.objects.get(demande=d).lignes if lg["critere"] == "anc"]
    assert ligne["raison"].endswith("(6.0 mois et plus).")


def test_les_parametres_saisis_entrent_comme_litteraux(essai):
    m = essai
    critere = m.essai.criteres.get(code="abri")
    critere.libelle = "Sans abri'); DROP TABLE cotation_resultatcotation; --"
    critere.save()
    famille = m.essai.familles.get(code="etat")
    famille.libelle = "État {0} %s %(x)s \\ ' \""
    famille.save()
    services.vider_cache()
    d = enregistrer_ancenis(m, date_depot=date(2024, 1, 31), statut_occupation="sans_abri")
    poser(d, "cp-dalo")
    resultats = verifier_accord(LE)
    assert "DROP TABLE" in lignes_de(resultats, d)["abri"]["libelle"]


# ---------------------------------------------------------------- deux connexions


@pytest.mark.django_db(transaction=True)
def test_deux_connexions_ecrivent_ce_que_le_moteur_python_calcule():
    m = territoire_nantes(grille=True)
    depot = date(2023, 5, 31)
    for i in range(12):
        d = enregistrer(
            m,
            communes=[[m.nantes], [m.reze], [m.ancenis]][i % 3],
            date_depot=ajouter_mois(depot, -i),
            statut_occupation=["sans_abri", "locataire_prive", "heberge_famille"][i % 3],
        )
        if i % 4 == 0:
            evenement(d, Evenement.Type.REFUS_POSITIONNEMENT, date(2025, 1, 31))
    services.vider_cache()
    avant, hist_avant = _etat()
    le = date(2025, 3, 31)
    comptes = compilation_sql.recalculer_fichier_sql(
        le, grilles=services.grilles_en_vigueur(), taille_tranche=1, connexions=2
    )
    apres, hist_apres = _etat()

    ids = sorted(Demande.objects.filter(etat="active").values_list("pk", flat=True))
    attendus = {}
    for f in faits.charger(ids):
        for rt in services.coter_territoires(f, le):
            r = rt.resultat
            g = r.grille.id if r.grille else None
            attendus[(f.demande_id, rt.territoire)] = (
                f.demande_id,
                g,
                r.total,
                r.lignes_json(),
                r.prochaine_echeance,
                rt.commune,
                f.typologie,
                rt.territoire,
            )
    assert {cle: ligne for cle, ligne in apres.items() if cle[0] in ids} == attendus
    changees = Counter(
        (cle[0], g, t, "recalcul du fichier")
        for cle, (_, g, t, *_reste) in attendus.items()
        if avant.get(cle) is None or avant[cle][1:3] != (g, t)
    )
    assert hist_apres - hist_avant == changees
    assert (comptes.demandes, comptes.changees) == (len(ids), sum(changees.values()))
    assert comptes.tranches >= len(ids)


@pytest.mark.django_db(transaction=True)
def test_une_erreur_dans_un_fil_arrete_le_recalcul_et_remonte(monkeypatch):
    m = territoire_nantes(grille=True)
    demandes_ = [enregistrer(m, date_depot=date(2024, 1, 31)) for _ in range(6)]
    services.vider_cache()
    originale = compilation_sql.instruction
    premiere = demandes_[0].pk

    def panne(*args, debut, **kwargs):
        if debut >= premiere + 3:
            return compilation_sql.S("SELECT 1 / 0")
        return originale(*args, debut=debut, **kwargs)

    monkeypatch.setattr(compilation_sql, "instruction", panne)
    avant = timezone.now()
    with pytest.raises(Exception, match="division by zero"):
        compilation_sql.recalculer_fichier_sql(
            LE, grilles=services.grilles_en_vigueur(), taille_tranche=1, connexions=2
        )
    recalculees = set(ResultatCotation.objects.filter(calcule_le__gte=avant).values_list("demande_id", flat=True))
    # les tranches sont prises dans l'ordre : celles d'avant la panne sont validées, aucune après
    assert recalculees == {d.pk for d in demandes_[:3]}


# ---------------------------------------------------------------- une cotation par territoire des choix


def test_chaque_territoire_des_choix_dote_d_une_grille_cote_la_demande(m):
    """Seed 001 §5 : deux grilles (Nantes Métropole, COMPA), des demandes dont les choix couvrent l'un, l'autre,
    les deux ou aucun : un résultat par territoire doté, les deux chemins d'accord, et un territoire quitté perd
    son résultat."""
    grilles.installer_grille(GRILLE_NANTES_METROPOLE, m.ancenis.epci_id)
    services.vider_cache()
    deux = enregistrer(m, communes=[m.ancenis, m.reze, m.nantes], statut_occupation="sans_abri")
    nm_second = enregistrer(m, communes=[m.ancenis, m.nantes])
    seule = enregistrer(m, communes=[m.nantes])

    resultats = verifier_accord(LE)

    territoires = Counter(pk for pk, _ in resultats)
    assert territoires[deux.pk] == territoires[nm_second.pk] == 2
    assert territoires[seule.pk] == 1
    assert resultats[(deux.pk, "244400404")][5] == m.reze.pk  # premier choix dans ce territoire
    assert resultats[(deux.pk, "200072726")][5] == m.ancenis.pk

    # Nantes Métropole quittée : son résultat est effacé, par le service comme par le recalcul du fichier.
    deux.localisations.exclude(commune=m.ancenis).delete()
    services.recalculer_demande(Demande.objects.get(pk=deux.pk))
    assert list(ResultatCotation.objects.filter(demande=deux).values_list("territoire", flat=True)) == ["200072726"]
    nm_second.localisations.exclude(commune=m.ancenis).delete()
    resultats = verifier_accord(LE)
    assert [t for pk, t in resultats if pk == nm_second.pk] == ["200072726"]
