"""Parcours d'un bailleur dans un vrai Chromium : de ses logements vacants aux candidats d'une vacance,
un filtre, puis l'explication d'une demande absente ; la page auditée par axe-core."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from tests.instruction.rapprochement.aides import COUPLE
from tests.monde.dossiers import enregistrer
from tests.monde.factories import DisponibiliteFactory, LogementFactory, ProgrammeFactory, TOTPDeviceFactory
from tests.monde.territoires import territoire_nantes

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_un_bailleur_cherche_les_candidats_d_une_vacance(page, connecter, axe):
    importlib.import_module("instruction.migrations.0002_rapprochement").charger_occupation(apps, None)
    m = territoire_nantes(grille=True)
    TOTPDeviceFactory(user=m.agent_bailleur)
    kallima = ProgrammeFactory(bailleur=m.bailleur, commune=m.nantes, code="0629", nom="KALLIMA 2")
    logement = LogementFactory(programme=kallima, code="0013", typologie="T3", loyer=Decimal("412.30"))
    DisponibiliteFactory(logement=logement, date_disponibilite=datetime.date.today())
    ancienne = datetime.date.today() - datetime.timedelta(days=90)
    enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, nom="DURAND", date_depot=ancienne)
    enregistrer(m, communes=[m.reze, m.nantes], codemandeur=COUPLE, nom="PETIT")
    exclue = enregistrer(m, communes=[m.nantes], codemandeur=COUPLE, nom="LEROY", rfr=Decimal("35630"))
    connecter(m.agent_bailleur)

    page.goto("/offre/vacances/")
    page.get_by_role("link", name="Rechercher des candidats").first.click()
    page.get_by_role("heading", level=1, name="Rechercher des candidats").wait_for()
    tableau = page.get_by_role("table")
    lignes = tableau.get_by_role("row")
    assert lignes.count() == 3  # en-tête + DURAND (plus ancienne) puis PETIT
    assert "DURAND" in lignes.nth(1).inner_text()
    assert "PETIT" in lignes.nth(2).inner_text()
    assert "LEROY" not in tableau.inner_text()
    axe()

    # Un filtre du seed 004 : la commune en premier choix seulement ; il reste affiché après rechargement.
    page.get_by_label("N° de choix de la commune au plus").fill("1")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**rang_max=1**")
    assert "DURAND" in page.get_by_role("table").inner_text()
    assert "PETIT" not in page.get_by_role("table").inner_text()
    assert page.get_by_label("N° de choix de la commune au plus").input_value() == "1"

    # Pourquoi LEROY n'est-elle pas proposée ?
    page.get_by_label("Pourquoi cette demande n'est-elle pas proposée ?").fill(exclue.numero_unique_affiche)
    page.get_by_role("button", name="Expliquer").click()
    explication = page.locator("#explications")
    explication.wait_for()
    assert "ressources 14 % au-dessus du plafond PLUS catégorie 2" in explication.inner_text()
    assert page.get_by_label("N° de choix de la commune au plus").input_value() == "1"
    axe()
