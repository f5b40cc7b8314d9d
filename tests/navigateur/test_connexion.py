"""Un agent se connecte avec son second facteur et arrive à l'accueil."""

import pytest

from tests.monde.factories import MOT_DE_PASSE, AgentFactory, TOTPDeviceFactory, code_totp

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_connexion_avec_second_facteur_jusqu_a_l_accueil(page):
    agent = AgentFactory(first_name="Gaëlle", last_name="Guichet", organisme__nom="ADIL 44 – Espace Habitat Social")
    TOTPDeviceFactory(user=agent)

    page.goto("/")
    page.get_by_label("Adresse électronique").fill(agent.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()

    page.get_by_label("Code à 6 chiffres").fill(code_totp())
    page.get_by_role("button", name="Valider").click()

    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text().strip() != ""
    assert "ADIL 44 – Espace Habitat Social" in page.content()
    navigation = page.get_by_role("navigation", name="Navigation principale")
    for rubrique in ["Demande", "Offre", "Gestion"]:
        assert navigation.get_by_role("link", name=rubrique, exact=True).is_visible()

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/connexion/")


def test_mauvais_code_reste_sur_le_second_facteur(page):
    agent = AgentFactory()
    TOTPDeviceFactory(user=agent)
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(agent.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code à 6 chiffres").fill("000000" if code_totp() != "000000" else "111111")
    page.get_by_role("button", name="Valider").click()
    assert "Code incorrect" in page.content()
    assert "/connexion/second-facteur/" in page.url


def test_la_page_de_connexion_n_a_aucune_violation_axe(page, axe):
    page.goto("/connexion/")
    axe()
