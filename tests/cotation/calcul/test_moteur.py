"""Propriétés du moteur sur des demandes tirées au hasard (hypothesis) et validation des grilles.

Total toujours égal à la somme des lignes (plancher compris), calcul déterministe, champs sans rapport
avec la grille sans effet, exclusions de la grille toujours respectées, monotonie là où elle vaut ;
``erreurs_grille`` et ``erreurs_paliers`` refusent ce que le moteur n'appliquerait pas.
"""

import copy
import dataclasses
import random
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cotation.calcul import services
from cotation.calcul.faits import ORDRE_TYPOLOGIES, Faits
from cotation.calcul.moteur import GrilleInvalide, compiler, coter
from cotation.calcul.regles import ajouter_mois, mois_entre
from cotation.grilles.services import erreurs_grille, erreurs_paliers, installer_grille
from cotation.models import Critere, Famille, HistoriqueCotation, ResultatCotation
from demandes.dossier import choix
from tests.monde.cotation import EPCI, LABELS_ETAT, LABELS_NM, LIBELLES, coter_nantes, grille_nantes, labels
from tests.monde.dossiers import enregistrer
from tests.monde.factories import EpciFactory
from tests.monde.territoires import territoire_nantes

REGLAGES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

MOTIFS_DE_LA_GRILLE = {"handicap", "logement_indigne", "non_decent", "eloigne_travail", "assistant_maternel"}
MOTIFS_HORS_GRILLE = sorted({m.value for m in choix.Motif} - MOTIFS_DE_LA_GRILLE)
CODES_LABELS = [*LIBELLES, "eligibilite-als", "cp-fonctionnaires", "cil-nm-ctg-prefectoral"]
ACTIVITES = [a.value for a in choix.Activite]
AUTRES_ACTIVITES = [a for a in ACTIVITES if a != "assistant_familial"]

jours = st.dates(date(2016, 1, 1), date(2027, 12, 31))
montants = st.decimals(min_value=0, max_value=4000, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def des_faits(draw) -> Faits:
    passages = draw(st.lists(st.tuples(jours, st.none() | st.integers(1, 6)), max_size=4))
    return Faits(
        demande_id=draw(st.integers(1, 10**7)),
        date_depot=draw(jours),
        statut_occupation=draw(st.sampled_from(["", *(s.value for s in choix.StatutOccupation)])),
        motifs=frozenset(draw(st.sets(st.sampled_from([m.value for m in choix.Motif]), max_size=5))),
        labels=labels(*draw(st.sets(st.sampled_from(CODES_LABELS), max_size=4))),
        activites=frozenset(draw(st.sets(st.sampled_from(ACTIVITES), max_size=2))),
        pieces_actuelles=draw(st.none() | st.integers(0, 10)),
        surface_actuelle=draw(st.none() | st.integers(0, 120)),
        nb_occupants=draw(st.none() | st.integers(0, 12)),
        loyer=draw(st.none() | montants),
        aides=draw(st.none() | montants),
        ressources_mensuelles=draw(montants),
        refus_positionnement=tuple(sorted(draw(st.lists(jours, max_size=8)))),
        refus_attribution=tuple(sorted(draw(st.lists(jours, max_size=6)))),
        passages_cal=tuple(sorted(passages, key=lambda p: p[0])),
        commune=draw(st.sampled_from(["44109", "44143"])),
        epci=EPCI,
        typologie=draw(st.sampled_from(["", *ORDRE_TYPOLOGIES])),
        nature=draw(st.sampled_from(["", *(n.value for n in choix.NatureDemande)])),
        nb_personnes=draw(st.integers(1, 9)),
    )


dates_de_calcul = st.dates(date(2020, 1, 1), date(2027, 12, 31))


def empreinte(r):
    return (r.total, r.lignes_json(), r.prochaine_echeance)


def points_famille(r, famille: str) -> int:
    return sum(lg.points for lg in r.lignes if lg.famille == famille)


# ---------------------------------------------------------------- total et exclusions


@REGLAGES
@given(f=des_faits(), le=dates_de_calcul)
def test_le_total_est_la_somme_des_lignes_et_les_exclusions_tiennent(f, le):
    r = coter_nantes(f, le)
    assert r.total == sum(lg.points for lg in r.lignes)
    codes = {c.code for c in grille_nantes().criteres}
    assert {lg.critere for lg in r.lignes} <= codes
    assert len({lg.critere for lg in r.lignes}) == len(r.lignes)
    assert r.prochaine_echeance is None or r.prochaine_echeance > le
    assert all(lg.jusqu_au is None or lg.jusqu_au >= le for lg in r.lignes)
    pts = {lg.critere: lg.points for lg in r.lignes}
    etat, nm = points_famille(r, "priorites-etat"), points_famille(r, "priorites-nm")
    # priorités État : 20 au plus (cumul « maximum ») ; Nantes Métropole : 15 au plus, et seulement sans État
    assert etat in (0, 15, 20)
    assert nm in (0, 15)
    assert not (etat and nm)
    if etat or nm:
        assert pts.get("sans-abri", 0) == pts.get("heberge-temporaire", 0) == 0
    if "situation-handicap" in pts:
        assert pts.get("logement-inadapte-handicap", 0) == 0
    if "autres-priorites-etat" in pts:
        assert pts.get("logement-indigne", 0) == pts.get("logement-non-decent", 0) == 0
    if "sortant-hebergement" in pts:
        assert pts.get("logement-foyer", 0) == 0
    assert -35 <= points_famille(r, "historique") <= 4


@REGLAGES
@given(f=des_faits(), le=dates_de_calcul, plancher=st.sampled_from([0, -5, 10]))
def test_avec_un_plancher_le_total_reste_la_somme_des_lignes(f, le, plancher):
    sans = coter_nantes(f, le)
    avec = coter_nantes(f, le, plancher=plancher)
    assert avec.total == max(plancher, sans.total)
    assert avec.total == sum(lg.points for lg in avec.lignes)
    lignes_plancher = [lg for lg in avec.lignes if lg.critere == "plancher"]
    if sans.total < plancher:
        [lg] = lignes_plancher
        assert lg.points == plancher - sans.total > 0
        assert lg.raison == f"Le total ne descend pas sous {plancher} point(s)."
    else:
        assert lignes_plancher == []
        assert avec.lignes_json() == sans.lignes_json()


# ---------------------------------------------------------------- déterminisme


@REGLAGES
@given(f=des_faits(), le=dates_de_calcul, graine=st.integers(0, 2**16))
def test_meme_demande_meme_resultat_quel_que_soit_l_ordre_des_evenements_et_labels(f, le, graine):
    premier = empreinte(coter_nantes(f, le))
    assert empreinte(coter_nantes(f, le)) == premier
    assert empreinte(coter_nantes(copy.deepcopy(f), le)) == premier
    hasard = random.Random(graine)
    melange = dataclasses.replace(
        f,
        labels=dict(hasard.sample(list(f.labels.items()), len(f.labels))),
        refus_positionnement=tuple(hasard.sample(f.refus_positionnement, len(f.refus_positionnement))),
        refus_attribution=tuple(hasard.sample(f.refus_attribution, len(f.refus_attribution))),
        passages_cal=tuple(hasard.sample(f.passages_cal, len(f.passages_cal))),
    )
    assert empreinte(coter_nantes(melange, le)) == premier


@REGLAGES
@given(
    f=des_faits(),
    le=dates_de_calcul,
    motifs=st.sets(st.sampled_from(MOTIFS_HORS_GRILLE), min_size=1, max_size=4),
    activite=st.sampled_from(AUTRES_ACTIVITES),
    typologie=st.sampled_from(ORDRE_TYPOLOGIES),
    nb=st.integers(1, 9),
    autre_label=st.sampled_from(["eligibilite-als", "cp-fonctionnaires", "cil-nm-ctg-prefectoral"]),
)
def test_un_champ_sans_rapport_avec_la_grille_ne_change_rien(f, le, motifs, activite, typologie, nb, autre_label):
    avant = empreinte(coter_nantes(f, le))
    change = dataclasses.replace(
        f,
        demande_id=f.demande_id + 1,
        motifs=f.motifs | motifs,
        activites=f.activites | {activite},
        labels={**f.labels, autre_label: "libellé"},
        typologie=typologie,
        nature="famille",
        nb_personnes=nb,
        commune="44143" if f.commune == "44109" else "44109",
    )
    assert empreinte(coter_nantes(change, le)) == avant


# ---------------------------------------------------------------- monotonie


@REGLAGES
@given(f=des_faits(), le=dates_de_calcul, code=st.sampled_from(LABELS_ETAT))
def test_ajouter_une_priorite_etat_ne_baisse_jamais_les_points_de_l_etat(f, le, code):
    avant = coter_nantes(f, le)
    apres = coter_nantes(dataclasses.replace(f, labels={**f.labels, **labels(code)}), le)
    assert points_famille(apres, "priorites-etat") >= points_famille(avant, "priorites-etat")
    assert points_famille(apres, "priorites-etat") + points_famille(apres, "priorites-nm") >= (
        points_famille(avant, "priorites-etat") + points_famille(avant, "priorites-nm")
    )
    assert points_famille(apres, "priorites-nm") <= points_famille(avant, "priorites-nm")


@REGLAGES
@given(f=des_faits(), le=dates_de_calcul, code=st.sampled_from(LABELS_NM))
def test_ajouter_une_priorite_nm_ne_baisse_jamais_les_priorites(f, le, code):
    avant = coter_nantes(f, le)
    apres = coter_nantes(dataclasses.replace(f, labels={**f.labels, **labels(code)}), le)
    assert points_famille(apres, "priorites-nm") >= points_famille(avant, "priorites-nm")
    assert points_famille(apres, "priorites-etat") == points_famille(avant, "priorites-etat")


@REGLAGES
@given(f=des_faits(), le=dates_de_calcul, jours_de_plus=st.integers(1, 2000))
def test_l_anciennete_ne_baisse_jamais_avec_le_temps(f, le, jours_de_plus):
    avant = coter_nantes(f, le)
    apres = coter_nantes(f, le + timedelta(days=jours_de_plus))
    assert points_famille(apres, "anciennete") >= points_famille(avant, "anciennete")


@REGLAGES
@given(f=des_faits(), le=dates_de_calcul)
def test_rien_ne_change_avant_la_prochaine_echeance(f, le):
    r = coter_nantes(f, le)
    if r.prochaine_echeance is not None:
        veille = r.prochaine_echeance - timedelta(days=1)
        assert coter_nantes(f, veille).total == r.total
    else:
        assert coter_nantes(f, le + timedelta(days=3000)).total == r.total


@REGLAGES
@given(d=st.dates(date(2000, 1, 1), date(2040, 12, 31)), n=st.integers(0, 240))
def test_arithmetique_des_mois(d, n):
    fin = ajouter_mois(d, n)
    assert mois_entre(d, fin) == n
    if n:
        assert mois_entre(d, fin - timedelta(days=1)) == n - 1
    assert ajouter_mois(d, n).day <= d.day


# ---------------------------------------------------------------- recalcul d'une demande


def test_recoter_deux_fois_n_ecrit_qu_une_ligne_d_historique():
    m = territoire_nantes(grille=True)
    demande = enregistrer(m, statut_occupation="heberge_famille")
    assert HistoriqueCotation.objects.filter(demande=demande).count() == 1
    premier = services.recalculer_demande(demande, motif="test")
    second = services.recalculer_demande(demande, motif="test")
    assert empreinte(premier) == empreinte(second)
    assert premier.total == 10
    assert HistoriqueCotation.objects.filter(demande=demande).count() == 1
    resultat = ResultatCotation.objects.get(demande=demande)
    assert (resultat.total, resultat.lignes) == (10, second.lignes_json())


# ---------------------------------------------------------------- validation des grilles


def test_erreurs_paliers():
    assert erreurs_paliers([]) == []
    assert erreurs_paliers([{"min": 0, "max": 6, "points": 0}, {"min": 6, "max": None, "points": 5}]) == []
    assert erreurs_paliers([{"min": 0, "max": 3, "points": 1}, {"min": 10, "points": 2}]) == []  # trou permis
    assert erreurs_paliers({"min": 0}) == ["les paliers sont une liste."]
    assert erreurs_paliers([{"min": 0, "max": 10, "points": 1}, {"min": 5, "points": 2}]) == [
        "palier 2 : il chevauche le palier précédent."
    ]
    assert erreurs_paliers([{"min": 0, "points": 1}, {"min": 5, "points": 2}]) == [
        "palier 2 : il chevauche le palier précédent."
    ]
    assert erreurs_paliers([{"min": 4, "max": 4, "points": 1}]) == [
        "palier 1 : « max » est un entier supérieur à « min »."
    ]
    assert erreurs_paliers([{"min": "1", "points": 1}, {"points": 2}]) == [
        "palier 1 : « min » et « points » sont des entiers.",
        "palier 2 : « min » et « points » sont des entiers.",
    ]
    # un « max » mal saisi est signalé, sans faire échouer la vérification des paliers suivants
    assert erreurs_paliers([{"min": 0, "max": "6", "points": 1}, {"min": 6, "points": 2}]) == [
        "palier 1 : « max » est un entier supérieur à « min »."
    ]
    assert erreurs_paliers([{"min": 0, "max": 2.5, "points": 1}, {"min": 2, "points": 2}]) == [
        "palier 1 : « max » est un entier supérieur à « min »."
    ]


FAMILLES = [{"code": "a", "libelle": "Famille A"}, {"code": "b", "libelle": "Famille B"}]


def installer(criteres, familles=FAMILLES):
    definition = {"libelle": "Grille d'essai", "date_effet": "2024-01-01", "familles": familles, "criteres": criteres}
    return installer_grille(definition, EpciFactory(), en_vigueur=False)


def test_la_grille_de_nantes_est_valide():
    m = territoire_nantes(grille=True)
    assert erreurs_grille(m.grille) == []
    assert compiler(m.grille).criteres == grille_nantes().criteres


def test_erreurs_grille():
    grille = installer(
        [
            ("a", "inconnue", "Critère inconnu", "n_existe_pas", {}, 1),
            ("a", "sans-paliers", "Ancienneté sans paliers", "anciennete", {}, 0),
            (
                "a",
                "chevauchement",
                "Paliers qui se chevauchent",
                "anciennete",
                {},
                0,
                {"paliers": [{"min": 0, "max": 12, "points": 1}, {"min": 6, "points": 2}]},
            ),
            ("a", "tot", "Exclu par un critère suivant", "motif", {"motifs": ["autre"]}, 1, {"exclu_si": ["tard"]}),
            ("a", "fantome", "Exclu par un critère absent", "motif", {"motifs": ["autre"]}, 1, {"exclu_si": ["x"]}),
            ("a", "soi", "Exclu par lui-même", "motif", {"motifs": ["autre"]}, 1, {"exclu_si": ["soi"]}),
            ("b", "tard", "Critère suivant", "motif", {"motifs": ["divorce"]}, 1),
            ("b", "famille-x", "Famille absente", "motif", {"motifs": ["divorce"]}, 1, {"exclu_si_familles": ["x"]}),
        ]
    )
    assert erreurs_grille(grille) == [
        "Critère « Critère inconnu » : règle « n_existe_pas » inconnue.",
        "Critère « Ancienneté sans paliers » : la règle « Ancienneté de la demande (mois, par paliers) » demande "
        "des paliers.",
        "Critère « Paliers qui se chevauchent » : palier 2 : il chevauche le palier précédent.",
        "Critère « Exclu par un critère suivant » : le critère « tard » doit le précéder pour l'exclure.",
        "Critère « Exclu par un critère absent » : le critère « x » de « sauf si » n'existe pas.",
        "Critère « Exclu par lui-même » : le critère « soi » doit le précéder pour l'exclure.",
        "Critère « Famille absente » : la famille « x » de « sauf si » n'existe pas.",
    ]
    with pytest.raises(GrilleInvalide, match="la règle « n_existe_pas » n'existe pas"):
        compiler(grille)


def test_erreurs_grille_familles():
    grille = installer(
        [("a", "c1", "Critère 1", "motif", {"motifs": ["autre"]}, 1)],
        familles=[
            {"code": "a", "libelle": "Famille A", "exclue_si_familles": ["b"]},
            {"code": "b", "libelle": "Famille B", "exclue_si_familles": ["z"]},
        ],
    )
    assert erreurs_grille(grille) == [
        "Famille « Famille A » : « b » doit la précéder pour l'exclure.",
        "Famille « Famille B » : la famille « z » n'existe pas.",
    ]
    assert erreurs_grille(installer([], familles=[{"code": "a", "libelle": "A"}])) == [
        "La grille ne compte aucun critère."
    ]


def test_un_critere_ne_peut_etre_exclu_que_par_une_famille_qui_le_precede():
    """Le moteur regarde les familles déjà retenues : une famille suivante ne l'exclurait jamais."""
    grille = installer(
        [
            ("a", "motif-a", "Motif A", "motif", {"motifs": ["divorce"]}, 3, {"exclu_si_familles": ["b"]}),
            ("b", "motif-b", "Motif B", "motif", {"motifs": ["divorce"]}, 5),
        ]
    )
    assert erreurs_grille(grille) == [
        "Critère « Motif A » : la famille « b » de « sauf si » doit le précéder pour l'exclure."
    ]


def test_une_grille_validee_applique_toutes_ses_exclusions():
    """Deux familles de même ordre : le moteur les départage par leur identifiant ; la validation aussi."""
    grille = installer(
        [
            ("a", "motif-a", "Motif A", "motif", {"motifs": ["divorce"]}, 3),
            ("b", "motif-b", "Motif B", "motif", {"motifs": ["divorce"]}, 5, {"exclu_si": ["motif-a"]}),
        ]
    )
    Famille.objects.filter(grille=grille).update(ordre=10)
    Critere.objects.filter(grille=grille, code="motif-a").update(ordre=90)
    Critere.objects.filter(grille=grille, code="motif-b").update(ordre=10)
    f = Faits(date_depot=date(2024, 1, 1), motifs=frozenset({"divorce"}), epci=grille.epci_id)
    r = coter(f, compiler(grille), date(2024, 1, 1))
    assert erreurs_grille(grille) == []
    assert (r.total, [lg.points for lg in r.lignes]) == (3, [3, 0])
    # l'inverse : « Motif A » exclu par « Motif B », qui le suit dans l'ordre du moteur, est refusé
    Critere.objects.filter(grille=grille, code="motif-b").update(exclu_si=[])
    Critere.objects.filter(grille=grille, code="motif-a").update(exclu_si=["motif-b"])
    assert erreurs_grille(grille) == ["Critère « Motif A » : le critère « motif-b » doit le précéder pour l'exclure."]
