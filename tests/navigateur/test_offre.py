"""Parcours d'un bailleur dans un vrai Chromium : filtrer son parc, créer un
logement, déclarer une vacance, importer un fichier refusé puis ses lignes valides."""

import pytest
from playwright.sync_api import expect

from offre.models import Disponibilite, Logement
from tests.monde.factories import (
    CommuneFactory,
    LogementFactory,
    ProgrammeFactory,
    TOTPDeviceFactory,
    agent_bailleur,
)
from tests.monde.fichiers import csv_de, ligne

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_un_bailleur_gere_son_parc(page, connecter, tmp_path):
    nantes = CommuneFactory(code_insee="44500", nom="Nantes")
    agent = agent_bailleur(perimetre=[nantes], first_name="Bruno", last_name="Bailleur")
    TOTPDeviceFactory(user=agent)
    kallima = ProgrammeFactory(bailleur=agent.organisme, commune=nantes, code="0629", nom="KALLIMA 2")
    LogementFactory(programme=kallima, code="0013", typologie="T3")
    LogementFactory(programme=kallima, code="0006", typologie="T2")
    connecter(agent)

    # Filtrer la liste (htmx : seuls les résultats sont remplacés, l'adresse suit).
    page.goto("/offre/")
    page.get_by_role("link", name="Parc de logements").first.click()
    page.get_by_label("Typologie").select_option("T3")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**typologie=T3**")
    tableau = page.get_by_role("table")
    assert "(0629 - 0013)" in tableau.inner_text()
    assert "(0629 - 0006)" not in tableau.inner_text()

    # Créer un logement : une erreur d'abord (la saisie est gardée), puis la correction.
    page.get_by_role("link", name="Ajouter un logement").click()
    page.get_by_label("Programme").select_option(label="KALLIMA 2 (0629)")
    page.get_by_label("Code logement").fill("0020")
    page.get_by_label("Typologie").select_option("T4")
    page.get_by_label("Appartement").check()
    page.get_by_label("Surface habitable (m²)").fill("80,5")
    page.get_by_label("Loyer hors charges (€/mois)").fill("45")
    page.get_by_label("Financement").select_option("PLAI")
    page.get_by_role("button", name="Enregistrer le logement").click()
    # La page renvoyée par le serveur peut arriver après le clic : on l'attend.
    expect(page.get_by_role("alert")).to_be_visible()
    assert "Loyer impossible" in page.content()
    assert page.get_by_label("Surface habitable (m²)").input_value() == "80,5"
    page.get_by_label("Loyer hors charges (€/mois)").fill("450")
    page.get_by_role("button", name="Enregistrer le logement").click()
    page.get_by_role("heading", level=1, name="KALLIMA 2 (0629 - 0020)").wait_for()
    assert Logement.objects.get(code="0020").financement == "PLAI"

    # Déclarer une vacance depuis la fiche.
    page.get_by_role("link", name="Déclarer une vacance").first.click()
    page.get_by_label("Disponible à partir du").fill("2026-12-01")
    page.get_by_label("Relocation (départ du locataire)").check()
    page.get_by_role("button", name="Déclarer la vacance").click()
    page.get_by_text("est déclarée : il est à pourvoir").wait_for()
    assert Disponibilite.objects.get().etat == "a_pourvoir"
    assert "01/12/2026" in page.content()

    # Importer un fichier avec une erreur, puis seulement ses lignes valides.
    fichier = tmp_path / "parc.csv"
    fichier.write_bytes(
        csv_de(
            [ligne(code_logement="0100"), ligne(code_logement="0101", code_insee="44999"), ligne(code_logement="0102")]
        )
    )
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Offre").click()
    page.get_by_role("link", name="Importer un fichier de parc").click()
    page.get_by_label("Fichier du parc (CSV ou XLSX)").set_input_files(str(fichier))
    page.get_by_role("button", name="Vérifier et importer").click()
    page.get_by_text("Rien n'a été importé", exact=True).wait_for()
    assert "Commune inconnue : aucun code INSEE « 44999 » au référentiel." in page.content()
    assert not Logement.objects.filter(code__startswith="010").exists()
    page.get_by_role("button", name="Importer les 2 lignes valides").click()
    page.get_by_text("Import terminé : 2 logements créés, 0 mis à jour.").wait_for()
    assert set(Logement.objects.filter(code__startswith="010").values_list("code", flat=True)) == {"0100", "0102"}
