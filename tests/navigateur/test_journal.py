"""Journal des consultations dans Chromium (issue 20, point 8) : une ligne par ouverture de fiche (les fragments
htmx de la fiche n'en ajoutent pas), recherche du gestionnaire par numéro unique (toute écriture) ou par nom,
types d'objets en français, export gardé ; axe-core sans violation sur la fiche et le journal ; captures."""

import pytest
from playwright.sync_api import expect

from fdls.audit.models import Consultation
from tests.monde.dossiers import demande_avec_exclusion
from tests.monde.factories import AgentFactory, TOTPDeviceFactory
from tests.monde.territoires import territoire_nantes

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

LARGEURS = (1366, 1920)


@pytest.fixture
def m():
    monde = territoire_nantes(grille=True)
    TOTPDeviceFactory(user=monde.agent_ehs)
    monde.gestionnaire = AgentFactory(administrateur=True, first_name="Gaëlle", last_name="Gestion")
    TOTPDeviceFactory(user=monde.gestionnaire)
    return monde


def _captures(page, capture, nom):
    for largeur in LARGEURS:
        page.set_viewport_size({"width": largeur, "height": 900})
        capture(f"{nom}-{largeur}")


def test_une_ligne_par_ouverture_de_fiche_et_recherche_du_gestionnaire(page, connecter, capture, axe, m):
    demande = demande_avec_exclusion(m)
    lignes = Consultation.objects.filter(objet_type="demandes.demande", objet_id=str(demande.pk))
    connecter(m.agent_ehs)

    page.goto(f"/demandes/{demande.pk}/")
    page.get_by_role("tab", name="Cotation").click()
    panneau = page.get_by_role("tabpanel")
    expect(panneau.locator(".cotation-total-valeur")).to_have_text("20")
    # La transparence (position parmi les demandes analogues) est un second fragment, chargé par l'onglet.
    expect(page.locator("#transparence")).not_to_be_empty()
    page.wait_for_load_state("networkidle")
    assert lignes.filter(utilisateur=m.agent_ehs).count() == 1
    axe()
    _captures(page, capture, "fiche-cotation")
    page.get_by_role("tab", name="Synthèse").click()
    _captures(page, capture, "fiche")

    # Une seconde ouverture est une seconde consultation.
    page.reload()
    page.get_by_role("tab", name="Cotation").click()
    expect(page.get_by_role("tabpanel").locator(".cotation-total-valeur")).to_have_text("20")
    page.wait_for_load_state("networkidle")
    assert lignes.filter(utilisateur=m.agent_ehs).count() == 2

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/connexion/")
    connecter(m.gestionnaire)
    page.goto("/gestion/journal/")
    expect(page.get_by_role("heading", name="Journal des consultations", level=1)).to_be_visible()

    # Numéro unique en quatre groupes, tel qu'il est lu au téléphone.
    nu = demande.numero_unique
    page.get_by_label("Numéro unique ou nom").fill(f"{nu[:3]} {nu[3:7]} {nu[7:13]} {nu[13:]}")
    page.get_by_role("button", name="Rechercher").click()
    tableau = page.get_by_role("table", name="Consultations")
    expect(tableau.locator("tbody tr")).to_have_count(2)
    expect(tableau.get_by_text("2 lignes", exact=False)).to_be_visible()
    premiere = tableau.locator("tbody tr").first
    expect(premiere).to_contain_text(f"{nu[:3]} {nu[3:7]} {nu[7:13]} {nu[13:]}")
    expect(premiere).to_contain_text(f"Demande (identifiant {demande.pk})")
    expect(premiere).not_to_contain_text("demandes.demande")
    expect(premiere).to_contain_text("Consultation de la fiche")
    expect(page.get_by_role("link", name="Exporter ces 2 lignes (CSV)")).to_be_visible()
    axe()
    _captures(page, capture, "journal")

    # Un numéro partiel, tapé avec des tirets.
    page.get_by_label("Numéro unique ou nom").fill(f"{nu[7:13]}-{nu[13:]}")
    page.get_by_role("button", name="Rechercher").click()
    expect(tableau.locator("tbody tr")).to_have_count(2)

    # Le nom, en minuscules.
    page.get_by_label("Numéro unique ou nom").fill(demande.nom.lower())
    page.get_by_role("button", name="Rechercher").click()
    expect(tableau.locator("tbody tr")).to_have_count(2)

    page.get_by_label("Numéro unique ou nom").fill("PERSONNE-INCONNUE")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_text("Aucune consultation ne correspond à ces critères.")).to_be_visible()

    # Le type d'objet se choisit en français.
    options = page.get_by_label("Type d'objet").locator("option").all_inner_texts()
    assert "Demande" in options
    assert not [o for o in options if "demandes.demande" in o]
