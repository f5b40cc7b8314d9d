"""Accord de ``calcul.paquets_sql`` avec l'ORM : mêmes identifiants, dans l'ordre de la clé, par paquets bornés."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Max, Min
from django.utils import timezone

from cotation.calcul import paquets_sql
from cotation.calcul.regles import ajouter_mois
from cotation.models import ResultatCotation
from demandes.cycle import services as demandes
from demandes.models import Demande, Evenement
from tests.monde.dossiers import enregistrer
from tests.monde.territoires import territoire_nantes

ACTIVE = Demande.Etat.ACTIVE


@pytest.fixture
def m():
    m = territoire_nantes(grille=True)
    aujourdhui = timezone.localdate()
    m.demandes = [
        enregistrer(m, date_depot=ajouter_mois(aujourdhui, -3)),
        enregistrer(m, communes=[m.nantes, m.ancenis]),
        enregistrer(m, communes=[m.ancenis, m.nantes]),  # premier choix hors de Nantes Métropole
        enregistrer(m, statut_occupation="sans_abri"),
        enregistrer(m, date_depot=ajouter_mois(aujourdhui, -7)),
    ]
    m.annulee = enregistrer(m, date_depot=ajouter_mois(aujourdhui, -3))
    demandes.annuler_demande(m.annulee, motif="renonciation", auteur=m.auteur)
    ResultatCotation.objects.filter(demande=m.demandes[3]).delete()  # jamais cotée
    demandes.ecrire_evenement(m.demandes[1], Evenement.Type.PASSAGE_CAL, demandes.AUTOMATE, details={"rang": "2"})
    demandes.ecrire_evenement(m.annulee, Evenement.Type.PASSAGE_CAL, demandes.AUTOMATE, details={"rang": "2"})
    return m


def _a_plat(paquets, taille: int) -> list[int]:
    ids = []
    for paquet in paquets:
        assert 0 < len(paquet) <= taille
        ids += paquet
    assert ids == sorted(set(ids))  # dans l'ordre de la clé, sans doublon
    return ids


def test_demandes_actives_et_jamais_cotees(m):
    actives = list(Demande.objects.filter(etat=ACTIVE).order_by("pk").values_list("pk", flat=True))
    assert _a_plat(paquets_sql.actives(2), 2) == actives
    assert _a_plat(paquets_sql.actives(2, depuis=actives[1]), 2) == actives[2:]
    jamais = Demande.objects.filter(etat=ACTIVE, cotations__isnull=True).order_by("pk").values_list("pk", flat=True)
    assert _a_plat(paquets_sql.jamais_cotees(2), 2) == list(jamais) == [m.demandes[3].pk]
    bornes = Demande.objects.filter(etat=ACTIVE).aggregate(bas=Min("pk"), haut=Max("pk"))
    assert paquets_sql.bornes_actives() == (bornes["bas"], bornes["haut"])


def test_demandes_echues(m):
    for le in {r.prochaine_echeance for r in ResultatCotation.objects.exclude(prochaine_echeance=None)}:
        attendues = (
            ResultatCotation.objects.filter(prochaine_echeance__lte=le, demande__etat=ACTIVE)
            .order_by("demande_id")
            .values_list("demande_id", flat=True)
        )
        assert _a_plat(paquets_sql.echues(le, 2), 2) == list(attendues)


def _recentes(depuis, types) -> list[int]:
    evenements = Evenement.objects.filter(date__gte=depuis, type__in=types, demande__etat=ACTIVE)
    return sorted(set(evenements.values_list("demande_id", flat=True)))


def test_evenements_recents(m):
    types = ["passage_cal", "label"]
    il_y_a_une_heure = timezone.now() - timedelta(hours=1)
    attendues = _recentes(il_y_a_une_heure, types)
    assert m.demandes[1].pk in attendues
    assert m.annulee.pk not in attendues
    assert _a_plat(paquets_sql.evenements_recents(il_y_a_une_heure, types, 1), 1) == attendues
    dans_une_heure = timezone.now() + timedelta(hours=1)
    assert list(paquets_sql.evenements_recents(dans_une_heure, types, 1)) == _recentes(dans_une_heure, types) == []


def test_demandes_du_territoire(m):
    for epci in {m.nantes.epci_id, m.ancenis.epci_id}:
        attendues = [
            d.pk
            for d in Demande.objects.filter(etat=ACTIVE).order_by("pk")
            if any(loc.commune.epci_id == epci for loc in d.localisations.all())  # tout choix du territoire
        ]
        assert attendues
        assert _a_plat(paquets_sql.du_territoire(epci, 2), 2) == attendues
