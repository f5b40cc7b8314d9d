"""Accord de ``calcul.resultats_sql`` avec l'ORM : ce qui est écrit se relit tel quel, l'historique ne reçoit une
ligne que si le total ou la grille change, la répartition est l'agrégat des résultats des demandes actives."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db.models import Count
from django.utils import timezone

from cotation.calcul import resultats_sql
from cotation.models import DistributionCotation, HistoriqueCotation, ResultatCotation
from demandes.cycle import services as demandes
from tests.monde.dossiers import enregistrer
from tests.monde.territoires import territoire_nantes

LIGNES = [{"critere": "c", "libelle": "Critère", "famille": "f", "points": 7, "raison": "Parce que.", "jusqu_au": None}]


@pytest.fixture
def m():
    return territoire_nantes(grille=True)


def _lu(demande) -> tuple:
    r = ResultatCotation.objects.get(demande=demande)
    return (r.grille_id, r.total, r.lignes, r.prochaine_echeance, r.commune_id, r.typologie)


def _historique(demande) -> list[tuple]:
    return list(HistoriqueCotation.objects.filter(demande=demande).order_by("id").values_list("total", "grille_id"))


def test_ecrire_resultats_se_relit_par_l_orm_et_n_historise_que_les_changements(m):
    demande = enregistrer(m)
    avant = _historique(demande)
    texte = json.dumps(LIGNES, ensure_ascii=False)
    ligne = (demande.pk, m.grille.epci_id, m.grille.pk, 7, texte, date(2031, 1, 31), m.reze.pk, "T2")

    def ecrire(*lignes):
        resultats_sql.ecrire_resultats(list(lignes), demande_id=demande.pk, quand=timezone.now(), motif="essai")

    ecrire(ligne)
    assert _lu(demande) == (m.grille.pk, 7, LIGNES, date(2031, 1, 31), m.reze.pk, "T2")
    assert _historique(demande) == [*avant, (7, m.grille.pk)]
    ecrire(ligne)  # même total, même grille : pas de ligne d'historique
    assert _historique(demande) == [*avant, (7, m.grille.pk)]
    ecrire((*ligne[:2], None, *ligne[3:]))
    assert _historique(demande) == [*avant, (7, m.grille.pk), (7, None)]
    # Un second territoire : une ligne de plus ; le quitter l'efface, sans toucher au premier.
    ecrire(ligne, (demande.pk, "200072726", m.grille.pk, 3, "[]", None, m.ancenis.pk, "T2"))
    assert sorted(ResultatCotation.objects.filter(demande=demande).values_list("territoire", "total")) == [
        ("200072726", 3),
        (m.grille.epci_id, 7),
    ]
    ecrire(ligne)
    assert list(ResultatCotation.objects.filter(demande=demande).values_list("territoire", "total")) == [
        (m.grille.epci_id, 7)
    ]


def test_ecrire_paquet_ecrit_les_memes_lignes_que_ecrire_resultats(m):
    une, autre, neuve = enregistrer(m), enregistrer(m), enregistrer(m)
    ResultatCotation.objects.filter(demande=neuve).delete()
    avant = {d.pk: _historique(d) for d in (une, autre, neuve)}
    total_une = ResultatCotation.objects.get(demande=une).total
    texte = json.dumps(LIGNES, ensure_ascii=False)
    nm = m.grille.epci_id
    lignes = [
        (une.pk, nm, m.grille.pk, total_une, texte, None, m.reze.pk, "T3"),  # total inchangé
        (autre.pk, nm, m.grille.pk, 42, texte, date(2030, 5, 1), m.nantes.pk, "T1"),
        (neuve.pk, "", None, 0, "[]", None, None, ""),
    ]
    changees = resultats_sql.ecrire_paquet(lignes, quand=timezone.now(), motif="paquet")
    assert changees == 2
    for demande_id, _, grille_id, total, lignes_json, echeance, commune, typologie in lignes:
        assert _lu(demande_id) == (grille_id, total, json.loads(lignes_json), echeance, commune, typologie)
    assert _historique(une) == avant[une.pk]
    assert _historique(autre) == [*avant[autre.pk], (42, m.grille.pk)]
    assert _historique(neuve) == [*avant[neuve.pk], (0, None)]
    # Un paquet qui ne cote plus ``autre`` par Nantes Métropole efface ce résultat.
    resultats_sql.ecrire_paquet(
        [(autre.pk, "", None, 0, "[]", None, m.ancenis.pk, "T1")], quand=timezone.now(), motif="paquet"
    )
    assert list(ResultatCotation.objects.filter(demande=autre).values_list("territoire", "grille")) == [("", None)]


def test_la_repartition_est_l_agregat_des_resultats_des_demandes_actives(m):
    demandes_ = [enregistrer(m, communes=[c]) for c in (m.reze, m.reze, m.nantes, m.ancenis)]
    demandes_.append(enregistrer(m, statut_occupation="sans_abri"))
    demandes.annuler_demande(demandes_[1], motif="renonciation", auteur=m.auteur)
    resultats_sql.rafraichir_distributions()
    attendue = (
        ResultatCotation.objects.filter(demande__etat="active", commune_id__isnull=False, grille__isnull=False)
        .exclude(typologie="")
        .values_list("commune_id", "typologie", "total")
        .annotate(n=Count("pk"))
    )
    lue = DistributionCotation.objects.values_list("commune_id", "typologie", "total", "effectif")
    assert lue
    assert sorted(lue) == sorted(attendue)
    comptees = ResultatCotation.objects.filter(demande__in=demandes_, commune_id__isnull=False, grille__isnull=False)
    assert comptees.exclude(demande__etat="active").exists()  # l'annulée a un résultat, mais n'est pas comptée
