"""Dans Chromium : un agent de guichet ouvre l'onglet « Cotation » d'une demande (chargé par htmx) ; un
administrateur de Nantes Métropole crée une nouvelle version de la grille, change les points d'un critère,
voit ses erreurs en français (paliers qui se chevauchent, paramètre hors bornes) sans perdre sa saisie,
puis met la version en vigueur ; le livret de la grille s'affiche."""

import datetime

import pytest
from playwright.sync_api import expect

from cotation.models import Grille
from tests.monde.dossiers import demande_avec_exclusion
from tests.monde.factories import TOTPDeviceFactory
from tests.monde.territoires import territoire_nantes

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def m():
    monde = territoire_nantes(grille=True, administrateurs=True)
    for agent in (monde.agent_ehs, monde.admin_epci):
        TOTPDeviceFactory(user=agent)
    return monde


def test_l_agent_voit_les_lignes_de_la_cotation(page, connecter, capture, m):
    demande = demande_avec_exclusion(m)
    connecter(m.agent_ehs)
    page.goto(f"/demandes/{demande.pk}/")
    # Pas de lien « Cotation » vers la gestion des grilles dans le menu d'un agent de guichet.
    expect(
        page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Cotation")
    ).to_have_count(0)

    page.get_by_role("tab", name="Cotation").click()

    panneau = page.get_by_role("tabpanel")
    tableau = panneau.get_by_role("table").first
    expect(tableau).to_contain_text("L'ancienneté de votre demande")
    expect(tableau).to_contain_text("Vous êtes sans logement")
    expect(tableau).to_contain_text("+15")
    exclue = tableau.locator("tr.ligne-exclue")
    expect(exclue).to_contain_text("Ne compte pas")
    expect(exclue).to_contain_text("Non cumulable avec les points accordés au titre de")
    expect(panneau.locator(".cotation-total-valeur")).to_have_text("20")
    expect(panneau).to_contain_text("Grille de cotation de Nantes Métropole – version 1")
    expect(panneau.get_by_role("heading", name="Totaux successifs")).to_be_visible()
    capture("cotation_onglet")
    # Le clavier passe d'un onglet à l'autre et revient à la cotation sans la recharger.
    page.get_by_role("tab", name="Cotation").press("ArrowRight")
    expect(page.get_by_role("tab", name="Historique")).to_have_attribute("aria-selected", "true")
    page.get_by_role("tab", name="Historique").press("ArrowLeft")
    expect(page.get_by_role("tabpanel").locator(".cotation-total-valeur")).to_have_text("20")


def test_le_gestionnaire_cree_modifie_et_met_en_vigueur_une_version(page, connecter, capture, m):
    connecter(m.admin_epci)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Cotation").click()
    expect(page.get_by_role("heading", name="Grilles de cotation", level=1)).to_be_visible()
    page.get_by_role("link", name="Version 1 – Nantes Métropole").click()
    page.get_by_role("button", name="Nouvelle version à partir de celle-ci").click()
    expect(page.get_by_text("Version 2 créée en brouillon à partir de la version 1")).to_be_visible()
    v2 = Grille.objects.get(epci=m.grille.epci_id, version=2)

    # Les points d'un critère.
    page.get_by_role("link", name="Modifier le critère « Votre logement est éloigné de votre lieu de travail").click()
    page.get_by_label("Points (obligatoire)", exact=True).fill("7")
    page.get_by_role("button", name="Enregistrer le critère").click()
    expect(page.locator(".message-success")).to_contain_text("Critère « Votre logement est éloigné")
    expect(page.locator("#critere-eloigne-travail")).to_contain_text("+7")
    assert v2.criteres.get(code="eloigne-travail").points == 7

    # Paliers qui se chevauchent : erreurs en français, saisie conservée.
    page.get_by_role("link", name="Modifier le critère « L'ancienneté de votre demande »").click()
    page.get_by_label("Palier 2 – À partir de").fill("12")
    page.get_by_label("Palier 2 – Libellé du livret").fill("Entre 12 et 36 mois")
    page.get_by_label("Libellé pour le demandeur").fill("Depuis quand vous attendez")
    page.get_by_role("button", name="Enregistrer le critère").click()
    resume = page.locator("#resume-erreurs")
    expect(resume).to_contain_text("le critère n'est pas enregistré")
    expect(page.get_by_text("Cette règle n'a pas de paramètre.")).to_be_visible()
    capture("cotation_critere_erreurs")
    expect(page.get_by_label("Palier 2 – À partir de")).to_have_value("12")
    expect(page.get_by_label("Palier 2 – Libellé du livret")).to_have_value("Entre 12 et 36 mois")
    expect(page.get_by_label("Libellé pour le demandeur")).to_have_value("Depuis quand vous attendez")
    expect(page.locator("#erreurs-paliers")).to_contain_text("Palier 2 : il chevauche le palier précédent.")
    assert v2.criteres.get(code="anciennete").paliers[1]["min"] == 18
    page.get_by_label("Palier 2 – À partir de").fill("18")
    page.get_by_role("button", name="Enregistrer le critère").click()
    expect(page.locator("#critere-anciennete")).to_contain_text("Entre 12 et 36 mois")
    capture("cotation_grille_brouillon")

    # Mise en vigueur aujourd'hui : la version 1 est archivée.
    page.get_by_label("Date d'entrée en vigueur").fill(datetime.date.today().isoformat())
    page.get_by_role("button", name="Programmer l'entrée en vigueur").click()
    expect(page.get_by_text("La version 2 est en vigueur depuis le")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("En vigueur")
    m.grille.refresh_from_db()
    assert m.grille.etat == Grille.Etat.ARCHIVEE
    v2.refresh_from_db()
    assert v2.etat == Grille.Etat.EN_VIGUEUR

    # Le livret de la nouvelle version.
    page.get_by_role("link", name="Livret du demandeur").click()
    expect(page.get_by_role("heading", name="Ma demande de logement social — la cotation")).to_be_visible()
    expect(page.locator(".livret")).to_contain_text("Depuis quand vous attendez")
    expect(page.locator(".livret")).to_contain_text("+7")
    capture("cotation_livret")


def test_les_parametres_d_une_regle_se_saisissent_en_champs_avec_erreurs_en_francais(page, connecter, axe, capture, m):
    connecter(m.admin_epci)
    page.goto(f"/cotation/grilles/{m.grille.pk}/")
    page.get_by_role("button", name="Nouvelle version à partir de celle-ci").click()
    v2 = Grille.objects.get(epci=m.grille.epci_id, version=2)
    page.get_by_role("link", name="Modifier le critère « Vous êtes locataire et votre loyer représente").click()

    parametres = page.get_by_role("group", name="Paramètres de la règle « Loyer rapporté aux ressources »")
    expect(parametres.get_by_label("Locataire ou sous-locataire d'un logement privé")).to_be_checked()
    expect(parametres.get_by_label("Seuil du taux d'effort (%)")).to_have_value("33")
    expect(page.get_by_text("JSON")).to_have_count(0)
    axe()

    # Hors bornes : l'erreur en français, la saisie gardée, rien d'écrit.
    parametres.get_by_label("Seuil du taux d'effort (%)").fill("250")
    parametres.get_by_label("Déduire les aides au logement du loyer").check()
    page.get_by_role("button", name="Enregistrer le critère").click()
    expect(page.locator("#resume-erreurs")).to_contain_text("Seuil du taux d'effort (%)")
    expect(page.get_by_text("Saisissez un nombre de 1 à 100.").first).to_be_visible()
    expect(parametres.get_by_label("Seuil du taux d'effort (%)")).to_have_value("250")
    expect(parametres.get_by_label("Déduire les aides au logement du loyer")).to_be_checked()
    capture("cotation_parametres_erreur")
    assert v2.criteres.get(code="taux-effort").parametres["seuil_pct"] == 33

    # Virgule décimale.
    parametres.get_by_label("Seuil du taux d'effort (%)").fill("33,5")
    page.get_by_role("button", name="Enregistrer le critère").click()
    expect(page.locator("#critere-taux-effort")).to_contain_text("Seuil du taux d'effort (%) : 33,5")
    expect(page.locator("#critere-taux-effort")).to_contain_text("Déduire les aides au logement du loyer : oui")
    parametres_enregistres = v2.criteres.get(code="taux-effort").parametres
    assert parametres_enregistres["seuil_pct"] == 33.5
    assert parametres_enregistres["deduire_aides"] is True
