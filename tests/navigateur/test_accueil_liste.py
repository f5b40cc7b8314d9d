"""Le quotidien d'un agent de guichet dans Chromium (issue 20, points 1 à 3) : file de travail de l'accueil,
recherches enregistrées, recherche d'une personne, retour de la fiche avec les critères, demandes voisines,
tri au clavier et taille de page ; audit axe-core de l'accueil et de la liste ; captures à 1366 et 1920 px."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from demandes.models import Personne
from tests.monde.factories import DemandeFactory

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

LARGEURS = (1366, 1920)


def _captures(page, capture, nom):
    for largeur in LARGEURS:
        page.set_viewport_size({"width": largeur, "height": 900})
        capture(f"{nom}-{largeur}")
    page.set_viewport_size({"width": 1366, "height": 900})


def test_la_file_de_travail_mene_a_la_liste_filtree_et_une_recherche_s_enregistre(page, connecter, agent, axe, capture):
    for i in range(3):
        DemandeFactory(brouillon=True, guichet=agent.guichet, communes=[agent.reze], nom=f"Brouillon{i}")
    DemandeFactory(communes=[agent.reze], nom="Active")
    connecter(agent)

    file = page.get_by_role("region", name="À traiter")
    expect(file).to_be_visible()
    axe()
    _captures(page, capture, "accueil")
    brouillons = file.get_by_role("link", name=re.compile("Brouillons de mon organisme"))
    expect(brouillons).to_contain_text("3")
    brouillons.click()

    lignes = page.get_by_role("table").locator("tbody tr")
    expect(lignes).to_have_count(3)
    expect(page.get_by_label("Seulement les brouillons de mon organisme")).to_be_checked()
    axe()
    _captures(page, capture, "liste")

    # Enregistrer cette recherche, la retrouver sur l'accueil et l'ouvrir.
    page.get_by_text("Enregistrer cette recherche").click()
    page.get_by_label("Nom de la recherche").fill("Mes brouillons")
    page.get_by_label("Nom de la recherche").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Recherche « Mes brouillons » enregistrée")
    page.goto("/")
    favoris = page.get_by_role("region", name="Mes recherches enregistrées")
    favoris.get_by_role("link", name="Mes brouillons").click()
    expect(page).to_have_url(re.compile(r"brouillons_organisme=on"))
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(3)


def test_rechercher_une_personne_revenir_de_la_fiche_et_passer_aux_voisines(page, connecter, agent, axe):
    DemandeFactory(
        nom="Leroy",
        prenom="Anne",
        communes=[agent.reze],
        menage__nom_naissance="Morvan",
        numero_unique="044122600003510865",
        date_depot=datetime.date(2024, 1, 2),
    )
    DemandeFactory(nom="Morvan", prenom="Paul", communes=[agent.reze], date_depot=datetime.date(2024, 1, 3))
    DemandeFactory(nom="Morvant", prenom="Zoé", communes=[agent.reze], date_depot=datetime.date(2024, 1, 4))
    yasmine = DemandeFactory(
        nom="Bernard", prenom="Yasmine", date_naissance=datetime.date(1988, 3, 14), communes=[agent.reze]
    )
    joignable = DemandeFactory(nom="Colin", communes=[agent.reze], email="colin@exemple.fr")
    Personne.objects.filter(demande=joignable).update(telephone="06 12 34 56 78")
    connecter(agent)
    page.goto("/demandes/")

    # Le curseur est dans le champ du nom ; le nom de naissance répond avec le nom d'usage.
    expect(page.get_by_label("Nom", exact=True)).to_be_focused()
    page.keyboard.type("morv")
    page.keyboard.press("Enter")
    tableau = page.get_by_role("table")
    expect(tableau.locator("tbody tr")).to_have_count(3)
    expect(tableau).to_contain_text("LEROY Anne")
    axe()

    # Fiche ouverte depuis la liste : voisines, puis retour avec les critères (fil d'Ariane).
    tableau.get_by_role("link", name=re.compile("LEROY Anne")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LEROY Anne")
    voisines = page.get_by_role("navigation", name="Demandes voisines dans la liste")
    voisines.get_by_role("link", name=re.compile("Demande suivante")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("MORVAN Paul")
    page.get_by_role("navigation", name="Demandes voisines dans la liste").get_by_role(
        "link", name=re.compile("Demande précédente")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LEROY Anne")
    page.get_by_role("navigation", name="Fil d'Ariane").get_by_role(
        "link", name=re.compile("Liste des demandes")
    ).click()
    expect(page.get_by_label("Nom", exact=True)).to_have_value("morv")
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(3)

    # Numéro unique partiel, prénom seul avec la date de naissance, téléphone, courriel.
    for criteres, attendu in (
        ({"Numéro unique": "000035"}, "LEROY Anne"),
        ({"Prénom": "yas", "Date de naissance": "14/03/1988"}, "BERNARD Yasmine"),
        ({"Téléphone": "+33 6 12 34 56 78"}, "COLIN"),
        ({"Courriel": "COLIN@exemple.fr"}, "COLIN"),
    ):
        page.goto("/demandes/")
        for libelle, valeur in criteres.items():
            page.get_by_label(libelle, exact=True).fill(valeur)
        page.get_by_role("button", name="Rechercher").click()
        lignes = page.get_by_role("table").locator("tbody tr")
        expect(lignes).to_have_count(1)
        expect(lignes).to_contain_text(attendu)
    assert yasmine.pk


def test_trier_au_clavier_et_choisir_la_taille_de_page(page, connecter, agent, axe, capture):
    for i in range(25):
        DemandeFactory(
            communes=[agent.reze],
            nom=f"Demandeur{i:02d}",
            date_depot=datetime.date(2024, 2, 1 + i),
            typologies=["T2", "T3"] if i % 2 else ["T4"],
            avec_co_demandeur=i % 3 == 0,
        )
    connecter(agent)
    page.goto("/demandes/")
    lignes = page.get_by_role("table").locator("tbody tr")
    expect(lignes.first).to_contain_text("DEMANDEUR24")

    entete = page.get_by_role("columnheader", name=re.compile("Dépôt"))
    expect(entete).to_have_attribute("aria-sort", "descending")
    entete.get_by_role("link").focus()
    page.keyboard.press("Enter")
    entete = page.get_by_role("columnheader", name=re.compile("Dépôt"))
    expect(entete).to_have_attribute("aria-sort", "ascending")
    expect(page.get_by_role("table").locator("tbody tr").first).to_contain_text("DEMANDEUR00")

    page.get_by_label("Demandes par page").select_option("20")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(20)
    expect(page.get_by_role("table").locator("tbody tr").first).to_contain_text("DEMANDEUR00")
    axe()
    _captures(page, capture, "liste-triee")

    # La ligne entière mène à la fiche (le lien de la ligne reste le chemin du clavier).
    page.get_by_role("table").locator("tbody tr").nth(1).locator("td").nth(4).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("DEMANDEUR01")
