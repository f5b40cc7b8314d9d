"""Secret statistique : masquage primaire et secondaire, rien ne se retrouve par différence avec les totaux."""

import pytest

from observatoire.croisement.dimensions import SOURCES
from observatoire.croisement.tableau import TOTAL, Tableau
from observatoire.secret.models import SeuilSecret
from observatoire.secret.services import appliquer_secret, seuil_en_vigueur

DEMANDES = SOURCES["demandes"]


def tableau(cases: dict, lignes: list, colonnes: list, mesure: str = "nombre") -> Tableau:
    """Un tableau de comptes à la main, ses marges calculées comme ``croiser`` les calcule."""
    complet = {}
    for (ligne, colonne), n in cases.items():
        for cle in {(ligne, colonne), (ligne, TOTAL), (TOTAL, colonne), (TOTAL, TOTAL)}:
            somme, effectif = complet.get(cle, (0, 0))
            complet[cle] = (somme + n, effectif + n)
    return Tableau(
        titre="test",
        source=DEMANDES,
        mesure=DEMANDES.mesures[mesure],
        ligne=DEMANDES.dimensions["commune"],
        colonne=DEMANDES.dimensions["typologie"],
        lignes=[(code, code) for code in lignes],
        colonnes=[(code, code) for code in colonnes],
        cases=complet,
    )


def _aucune_case_ne_se_deduit(t: Tableau) -> None:
    lignes = [c for c, _ in t.lignes] + [TOTAL]
    colonnes = [c for c, _ in t.colonnes] + [TOTAL]
    for ligne in lignes:
        assert sum((ligne, c) in t.masquees for c in colonnes) != 1, ligne
    for colonne in colonnes:
        assert sum((ligne, colonne) in t.masquees for ligne in lignes) != 1, colonne


def test_masquage_primaire_et_secondaire():
    #          T2   T3   T4
    # Nantes   40    3   25
    # Rezé     30   20   15
    # Vertou   12   14    0
    t = tableau(
        {
            ("Nantes", "T2"): 40,
            ("Nantes", "T3"): 3,
            ("Nantes", "T4"): 25,
            ("Rezé", "T2"): 30,
            ("Rezé", "T3"): 20,
            ("Rezé", "T4"): 15,
            ("Vertou", "T2"): 12,
            ("Vertou", "T3"): 14,
        },
        ["Nantes", "Rezé", "Vertou"],
        ["T2", "T3", "T4"],
    )
    masquees = appliquer_secret(t, seuil=11)

    assert ("Nantes", "T3") in masquees  # primaire : 3 < 11
    assert t.valeur("Nantes", "T3") is None
    # Secondaire : la ligne Nantes et la colonne T3 ont chacune une autre case masquée (les plus petites).
    assert ("Nantes", "T4") in masquees
    assert ("Vertou", "T3") in masquees or ("Rezé", "T3") in masquees
    _aucune_case_ne_se_deduit(t)
    assert ("Vertou", "T4") not in masquees  # un zéro n'est pas un secret
    assert t.valeur(TOTAL, TOTAL) == 159


def test_une_marge_sous_le_seuil_est_masquee_et_protegee():
    t = tableau(
        {("Nantes", "T2"): 50, ("Nantes", "T3"): 60, ("Rezé", "T2"): 4, ("Rezé", "T3"): 3},
        ["Nantes", "Rezé"],
        ["T2", "T3"],
    )
    masquees = appliquer_secret(t, seuil=11)
    assert {("Rezé", "T2"), ("Rezé", "T3"), ("Rezé", TOTAL)} <= masquees
    _aucune_case_ne_se_deduit(t)


def test_une_moyenne_ne_masque_que_les_petits_effectifs():
    t = tableau({("Nantes", "T2"): 40, ("Nantes", "T3"): 3}, ["Nantes"], ["T2", "T3"], mesure="anciennete")
    assert appliquer_secret(t, seuil=11) == {("Nantes", "T3"), (TOTAL, "T3")}


@pytest.mark.parametrize(("valeur", "attendu"), [(None, 11), (5, 5)])
def test_le_seuil_est_un_parametre_date(valeur, attendu):
    SeuilSecret.objects.all().delete()
    if valeur:
        SeuilSecret.objects.create(valeur=valeur, date_effet="2020-01-01", source="test")
    assert seuil_en_vigueur() == attendu
