"""Typographie et formulation (issue 20, point 9) dans Chromium : numéro unique en quatre groupes, milliers à
l'espace fine et virgule décimale, pluriels à la française sur une page d'agent ; la page 403 d'un demandeur
écrite pour lui."""

import pytest
from playwright.sync_api import expect

from offre.models import ImportLogements
from tests.monde.dossiers import demande_avec_exclusion
from tests.monde.factories import MOT_DE_PASSE, DemandeurFactory, TOTPDeviceFactory, agent_bailleur
from tests.monde.territoires import territoire_nantes

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

FINE = "\u202f"


def test_numero_unique_et_pluriels_sur_les_pages_de_l_agent(page, connecter):
    m = territoire_nantes(grille=True)
    TOTPDeviceFactory(user=m.agent_ehs)
    demande = demande_avec_exclusion(m)
    nu = demande.numero_unique
    connecter(m.agent_ehs)

    page.goto(f"/demandes/{demande.pk}/")

    groupes = f"{nu[:3]} {nu[3:7]} {nu[7:13]} {nu[13:]}"
    expect(page.locator(".entete-fiche .nu")).to_have_text(groupes)
    expect(page.get_by_role("navigation", name="Fil d'Ariane")).to_contain_text(f"Demande {groupes}")
    assert nu not in page.locator("main").inner_text()


def test_milliers_a_l_espace_fine_et_une_ligne_en_erreur(page, connecter):
    agent = agent_bailleur()
    TOTPDeviceFactory(user=agent)
    ImportLogements.objects.create(
        bailleur=agent.organisme,
        auteur=agent,
        nom_fichier="parc.csv",
        etat=ImportLogements.Etat.ERREURS,
        nb_lignes=12501,
        nb_erreurs=1,
    )
    connecter(agent)

    page.goto("/offre/import/")
    page.get_by_role("link", name="parc.csv").click()

    cartes = page.locator(".cartes")
    expect(cartes).to_contain_text(f"12{FINE}501")
    expect(cartes.locator(".carte").nth(1)).to_contain_text(f"12{FINE}500lignes valides")
    expect(cartes.locator(".carte").nth(2)).to_contain_text("1ligne en erreur")
    assert "1 lignes" not in page.locator("main").inner_text()
    expect(page.locator(".message-error")).to_contain_text("1 ligne contient des erreurs")


def test_le_demandeur_qui_ouvre_une_page_d_agent_lit_une_page_ecrite_pour_lui(page):
    demandeur = DemandeurFactory()
    page.goto("/portail/connexion/")
    page.get_by_label("Adresse électronique").fill(demandeur.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/portail/**")

    reponse = page.goto("/demandes/")

    assert reponse.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Cette page n'est pas dans votre espace")
    expect(page.get_by_role("link", name="Retour à mon espace")).to_be_visible()
    texte = page.locator("main").inner_text()
    assert "organisme" not in texte
    assert "R441-2-6" not in texte
