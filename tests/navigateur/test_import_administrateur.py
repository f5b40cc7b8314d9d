"""L'administration du fichier importe le parc d'un bailleur qu'elle choisit (issue 20, point 10), dans Chromium :
sans bailleur choisi, une erreur en français et le formulaire gardé ; puis l'import pour ce bailleur, tracé
(auteur et bailleur), au pluriel français."""

import pytest
from playwright.sync_api import expect

from offre.models import ImportLogements, Logement
from tests.monde.factories import AgentFactory, BailleurFactory, CommuneFactory, TOTPDeviceFactory, agent_bailleur
from tests.monde.fichiers import csv_de, ligne

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_l_administrateur_importe_pour_le_bailleur_choisi(page, connecter, axe, tmp_path):
    CommuneFactory(code_insee="44500", nom="Nantes")
    nmh = BailleurFactory(nom="Nantes Métropole Habitat")
    BailleurFactory(nom="Atlantique Habitations")
    BailleurFactory(nom="Bailleur dissous", actif=False)
    admin = AgentFactory(administrateur=True, first_name="Alix", last_name="Admin")
    TOTPDeviceFactory(user=admin)
    fichier = tmp_path / "parc-nmh.csv"
    fichier.write_bytes(csv_de([ligne(code_logement="0200"), ligne(code_logement="0201", code_insee="44999")]))
    connecter(admin)

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Offre").click()
    page.get_by_role("link", name="Importer un fichier de parc").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer le parc d'un bailleur")
    choix = page.get_by_label("Bailleur dont vous importez le parc").locator("option").all_inner_texts()
    assert "Nantes Métropole Habitat" in choix
    assert "Bailleur dissous" not in choix
    axe()

    # Oubli du bailleur : erreur en français, la case cochée est gardée, rien n'est écrit.
    page.get_by_label("Fichier du parc (CSV ou XLSX)").set_input_files(str(fichier))
    page.get_by_label("Si le fichier contient des erreurs, importer quand même les lignes valides").check()
    page.get_by_role("button", name="Vérifier et importer").click()
    expect(page.get_by_text("Choisissez le bailleur dont vous importez le parc.").first).to_be_visible()
    expect(
        page.get_by_label("Si le fichier contient des erreurs, importer quand même les lignes valides")
    ).to_be_checked()
    assert not ImportLogements.objects.exists()

    page.get_by_label("Bailleur dont vous importez le parc").select_option(label="Nantes Métropole Habitat")
    page.get_by_label("Fichier du parc (CSV ou XLSX)").set_input_files(str(fichier))
    page.get_by_role("button", name="Vérifier et importer").click()

    expect(page.get_by_text("Import terminé : 1 logement créé, 0 mis à jour.")).to_be_visible()
    expect(page.get_by_text("Parc de Nantes Métropole Habitat", exact=False)).to_be_visible()
    expect(page.get_by_text("pour le compte du bailleur", exact=False)).to_be_visible()
    expect(page.locator(".cartes")).to_contain_text("ligne en erreur")
    import_ = ImportLogements.objects.get()
    assert (import_.bailleur, import_.auteur) == (nmh, admin)
    assert Logement.objects.get().bailleur == nmh


def test_l_instructeur_n_importe_que_son_parc_sans_choisir(page, connecter):
    nantes = CommuneFactory(code_insee="44500", nom="Nantes")
    agent = agent_bailleur(perimetre=[nantes])
    TOTPDeviceFactory(user=agent)
    connecter(agent)

    page.goto("/offre/import/")

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Importer le parc de {agent.organisme.nom}")
    expect(page.get_by_label("Bailleur dont vous importez le parc")).to_have_count(0)
