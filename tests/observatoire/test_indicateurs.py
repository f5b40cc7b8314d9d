"""Indicateurs légaux des attributions, sur le petit fichier aux réponses connues (tests/observatoire/monde)."""

from decimal import Decimal

import pytest

from observatoire.photos.services import photographier_fichier
from observatoire.tableaux.indicateurs import indicateurs_legaux
from tests.observatoire.monde import PHOTO, fichier_connu


@pytest.fixture
def connu():
    f = fichier_connu()
    f.photo = photographier_fichier(PHOTO).photo
    return f


def _par_code(ligne) -> dict:
    return {i.code: i for i in ligne.indicateurs}


def test_les_indicateurs_legaux_de_nantes_metropole_sont_ceux_attendus(connu):
    lignes = {ligne.libelle: ligne for ligne in indicateurs_legaux(connu.photo, 2025, par="epci")}

    nm = lignes["Nantes Métropole"]
    assert nm.attributions == 6  # A1 à A6 ; A0 (bail de 2024) n'est pas de l'année
    i = _par_code(nm)
    # Hors QPV : A1 (1er quartile) et A3 (renouvellement urbain) sur A1 à A4.
    q1 = i["premier_quartile_hors_qpv"]
    assert (q1.numerateur, q1.denominateur, q1.inconnus, q1.taux, q1.objectif, q1.atteint) == (
        2,
        4,
        0,
        Decimal("50.0"),
        Decimal("25.00"),
        True,
    )
    # En QPV : A6 (25 000 €/UC) sur A5 et A6 ; A5 est au 1er quartile.
    autres = i["autres_quartiles_qpv"]
    assert (autres.numerateur, autres.denominateur, autres.taux, autres.atteint) == (1, 2, Decimal("50.0"), True)
    # Ménages prioritaires : A1 seul (le label de renouvellement urbain d'A3 est une priorité aussi).
    prioritaires = i["menages_prioritaires"]
    assert (prioritaires.numerateur, prioritaires.denominateur, prioritaires.taux) == (2, 6, Decimal("33.3"))
    assert prioritaires.atteint is True
    # Mutations : A2 seul.
    mutations = i["mutations"]
    assert (mutations.numerateur, mutations.denominateur, mutations.taux, mutations.atteint) == (
        1,
        6,
        Decimal("16.7"),
        False,
    )


def test_sans_seuil_charge_le_quartile_est_inconnu_et_l_objectif_indetermine(connu):
    lignes = {ligne.libelle: ligne for ligne in indicateurs_legaux(connu.photo, 2025, par="epci")}

    compa = _par_code(lignes["COMPA"])["premier_quartile_hors_qpv"]
    assert (compa.numerateur, compa.denominateur, compa.inconnus, compa.taux) == (0, 1, 1, Decimal("0.0"))
    assert compa.atteint is None  # 0 % ou 100 % selon le seuil qui manque

    ensemble = _par_code(lignes["Ensemble"])["premier_quartile_hors_qpv"]
    # 2 sur 5 (40 %) et au mieux 3 sur 5 : au-dessus de 25 % dans les deux cas.
    assert (ensemble.numerateur, ensemble.denominateur, ensemble.inconnus, ensemble.atteint) == (2, 5, 1, True)
    assert lignes["Ensemble"].attributions == 7


def test_par_bailleur_et_filtre_par_territoire(connu):
    par_bailleur = indicateurs_legaux(connu.photo, 2025, par="bailleur")
    assert [(ligne.libelle, ligne.attributions) for ligne in par_bailleur] == [
        ("Nantes Métropole Habitat", 7),
        ("Ensemble", 7),
    ]
    reze = indicateurs_legaux(connu.photo, 2025, par="epci", filtres={"commune": "44143"})
    # À Rezé (logement) : A2 (mutation) et A4 (repli sur son 1er choix, Rezé).
    assert reze[-1].attributions == 2
    assert _par_code(reze[-1])["mutations"].numerateur == 1
