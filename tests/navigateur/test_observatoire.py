"""Un analyste de la métropole dans un vrai Chromium : tableaux standard, indicateurs légaux, tableau croisé
exporté, extraction en arrière-plan suivie par htmx, bilan et fiche territoriale, compteurs d'activité."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from fdls.comptes.models import Role
from observatoire.bilans.services import produire_bilan
from observatoire.compteurs.services import compter_activite
from observatoire.photos.services import photographier_fichier
from observatoire.pivot.models import ExportPivot
from observatoire.pivot.services import executer_export
from tests.monde.factories import AgentFactory, LogementFactory, OrganismeFactory, TOTPDeviceFactory
from tests.observatoire.monde import PHOTO, fichier_connu, instruction_connue

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fichier(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    f = fichier_connu()
    LogementFactory.create_batch(3, programme__commune=f.m.nantes, programme__bailleur=f.m.bailleur)
    photographier_fichier(PHOTO)
    return f


@pytest.fixture
def analyste(fichier):
    agent = AgentFactory(
        organisme=OrganismeFactory(nom="Nantes Métropole (observatoire)", type="epci"),
        roles=[Role.OBSERVATEUR],
        email="analyste@test.fdls.fr",
    )
    TOTPDeviceFactory(user=agent)
    return agent


def test_l_analyste_lit_les_tableaux_et_les_indicateurs_legaux(page, connecter, analyste, axe):
    connecter(analyste)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Statistiques").click()
    page.get_by_role("heading", level=1, name="Observatoire de la demande et des attributions").wait_for()
    axe()

    page.get_by_role("link", name="Demandes en cours", exact=True).click()
    page.get_by_label("EPCI").select_option(label="Nantes Métropole")
    page.get_by_role("button", name="Afficher").click()
    tableau = page.get_by_role(
        "table", name="Demandes en cours par catégorie de logement et typologie – Nantes Métropole"
    )
    expect(tableau).to_be_visible()
    assert tableau.get_by_role("row").last.inner_text().split()[-1] == "5"  # E1, E2, E3, E4, E6
    axe()

    # Une commune d'un autre EPCI : message clair, la saisie reste.
    page.get_by_label("Commune").select_option(label="Ancenis-Saint-Géréon (44003)")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("alert")).to_contain_text("n'est pas une commune de Nantes Métropole")
    assert page.get_by_label("Commune").input_value() == "44003"

    page.get_by_role("link", name="Indicateurs légaux").first.click()
    page.get_by_role("heading", level=1, name="Indicateurs légaux des attributions 2025").wait_for()
    ligne = page.get_by_role("table", name="Indicateurs légaux 2025 – par epci du logement").get_by_role(
        "row", name="Nantes Métropole"
    )
    assert "2 / 4" in ligne.inner_text()
    assert "50 %" in ligne.inner_text()
    axe()


def test_l_analyste_construit_un_tableau_croise_et_l_exporte(page, connecter, analyste, axe):
    connecter(analyste)
    page.goto("/observatoire/tableau-croise/")
    page.get_by_label("Données").select_option(label="Attributions (baux signés)")
    page.get_by_label("En lignes").select_option(label="Bailleur")
    page.get_by_label("En colonnes").select_option(label="Typologie")
    page.get_by_role("button", name="Calculer").click()
    tableau = page.get_by_role("table", name="Nombre d'attributions – attributions (baux signés), photo du 01/01/2026")
    expect(tableau.get_by_role("row", name="Nantes Métropole Habitat")).to_contain_text("7")
    axe()

    with page.expect_download() as telechargement:
        page.get_by_role("link", name="CSV").click()
    contenu = Path(telechargement.value.path()).read_text(encoding="utf-8-sig")
    assert list(csv.reader(io.StringIO(contenu), delimiter=";"))[1][-1] == "7"

    # Extraction des lignes en arrière-plan : la barre de progression suit l'export (htmx), puis le lien.
    page.get_by_label("Format").select_option("xlsx")
    page.get_by_role("button", name="Extraire les lignes").click()
    page.get_by_role("heading", level=1, name="Extraction n°").wait_for()
    expect(page.locator("#etat-export")).to_contain_text("Demandé")
    executer_export(ExportPivot.objects.get().pk)  # ce que fait le worker Celery
    lien = page.get_by_role("link", name="Télécharger le fichier")
    expect(lien).to_be_visible(timeout=10_000)
    assert page.locator("progress").get_attribute("value") == "100"
    with page.expect_download() as telechargement:
        lien.click()
    lignes = list(load_workbook(io.BytesIO(Path(telechargement.value.path()).read_bytes())).active.values)
    assert len(lignes) == 8


def test_l_analyste_telecharge_le_bilan_et_edite_une_fiche_territoriale(page, connecter, analyste):
    produire_bilan("annuel", 2025)
    connecter(analyste)
    page.goto("/observatoire/bilans/")
    ligne = page.get_by_role("row", name="Bilan annuel 2025")
    with page.expect_download() as telechargement:
        ligne.get_by_role("link", name="XLSX").click()
    assert len(load_workbook(io.BytesIO(Path(telechargement.value.path()).read_bytes())).sheetnames) >= 8
    pdf = page.request.get(ligne.get_by_role("link", name="PDF").get_attribute("href"))
    assert "Bilan annuel 2025" in PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()

    page.get_by_label("Commune").select_option(label="Nantes (44109)")
    # Le formulaire est en GET : son adresse donne le PDF (un PDF ouvert dans Chromium sans tête n'est pas lisible).
    fiche = page.request.get(f"/observatoire/bilans/?commune={page.get_by_label('Commune').input_value()}")
    assert fiche.headers["content-type"] == "application/pdf"
    assert "Fiche territoriale – Nantes" in PdfReader(io.BytesIO(fiche.body())).pages[0].extract_text()


def test_l_analyste_suit_les_stocks_de_l_instruction_dans_les_compteurs(page, connecter, fichier, analyste, axe):
    """Les stocks du seed (validées en CAL, attribuées en instance, propositions en cours, satisfaites) sur la
    période et jour par jour ; les non-renouvellements sur leur ligne."""
    instruction_connue(fichier)
    compter_activite(depuis=date(2025, 5, 30), jusqua=date(2025, 6, 1))
    connecter(analyste)
    page.goto("/observatoire/compteurs/")
    page.get_by_label("Du", exact=True).fill("30/05/2025")
    page.get_by_label("Au", exact=True).fill("01/06/2025")
    page.get_by_label("Indicateur suivi jour par jour").select_option(
        label="Demandes attribuées en instance (Accord demandeur)"
    )
    page.get_by_role("button", name="Afficher").click()
    periode = page.get_by_role("table", name="Activité du 30/05/2025 au 01/06/2025")
    for libelle, tout_le_fichier in (
        ("Demandes validées (Accord commission d'attribution) (au 01/06/2025)", "4"),
        ("Demandes attribuées en instance (Accord demandeur) (au 01/06/2025)", "2"),
        ("Propositions en cours (au 01/06/2025)", "2"),
        ("Demandes satisfaites (au 01/06/2025)", "4"),
        ("Demandes non renouvelées", "0"),
    ):
        assert periode.get_by_role("row", name=libelle).inner_text().split()[-1] == tout_le_fichier, libelle
    serie = page.get_by_role("table", name="Demandes attribuées en instance (Accord demandeur) par jour")
    jours = ("30/05/2025", "31/05/2025", "01/06/2025")
    assert [serie.get_by_role("row", name=j).inner_text().split()[-1] for j in jours] == ["1", "1", "2"]
    axe()
