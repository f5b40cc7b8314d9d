"""La saisie d'une demande dans Chromium (issue 20, point 4) : au clavier seul de bout en bout, toutes les
erreurs en un seul envoi, la touche Entrée qui ne sauve jamais de brouillon, la commune choisie par son
nom parmi les suggestions du serveur, aucun défaut axe-core sur chaque onglet, captures 1366 et 1920 px."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from demandes.models import Demande
from tests.monde.fichiers import PDF

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

ONGLETS = [
    "Demandeur",
    "Co-demandeur",
    "Occupants",
    "Situation professionnelle",
    "Revenus",
    "Situation actuelle",
    "Logement recherché",
    "Localisations souhaitées",
    "Motifs",
    "Compléments",
]


def tabuler_jusqua(page, cible, *, maximum=150):
    """Tab (et rien d'autre) jusqu'à ce que ``cible`` ait le focus : le chemin d'un utilisateur au clavier."""
    for _ in range(maximum):
        if cible.evaluate("e => e === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{cible} n'est jamais atteint à la touche Tab")


def onglet_actif(page):
    return page.get_by_role("tab", selected=True)


def test_une_demande_s_enregistre_au_clavier_seul(page, connecter, agent, capture):
    connecter(agent)
    page.goto("/demandes/nouvelle/")
    clavier = page.keyboard

    # Demandeur : la pièce d'identité (Espace ouvre le sélecteur de fichier), l'identité.
    piece = page.get_by_label("Pièce d'identité du demandeur")
    tabuler_jusqua(page, piece)
    # Espace ouvre le sélecteur ; sur une machine très chargée, Chromium peut manquer la première frappe :
    # une seconde frappe, toujours au clavier et sur le même champ (le focus n'a pas bougé).
    for essai in range(2):
        try:
            with page.expect_file_chooser(timeout=15_000) as choix:
                clavier.press("Space")
            break
        except PlaywrightTimeoutError:
            assert essai == 0
            assert piece.evaluate("e => e === document.activeElement")
    choix.value.set_files(files=[{"name": "carte-identite.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    tabuler_jusqua(page, page.get_by_label("Nom (obligatoire)", exact=True))
    clavier.type("Durand")
    tabuler_jusqua(page, page.get_by_label("Prénom (obligatoire)", exact=True))
    clavier.type("Alice")
    tabuler_jusqua(page, page.get_by_label("Nationalité (obligatoire)"))
    clavier.press("F")
    expect(page.get_by_label("Nationalité (obligatoire)")).to_have_value("francaise")
    date = page.get_by_label("Date de naissance (obligatoire)")
    page.keyboard.press("Shift+Tab")  # revenir en arrière marche aussi
    tabuler_jusqua(page, date)
    clavier.type("04/09/1970")

    # Entrée dans un champ : l'onglet suivant, jamais un brouillon enregistré.
    clavier.press("Enter")
    expect(onglet_actif(page)).to_have_text("Co-demandeur")
    expect(page.locator("#onglet-codemandeur :focus")).to_have_count(1)
    assert not Demande.objects.exists()
    assert page.url.endswith("/demandes/nouvelle/#onglet-codemandeur")

    # « Suivant » au bas de chaque rubrique.
    for suivant in ["Suivant : Occupants", "Suivant : Situation professionnelle", "Suivant : Revenus"]:
        lien = page.get_by_role("link", name=suivant)
        tabuler_jusqua(page, lien)
        clavier.press("Enter")
    expect(onglet_actif(page)).to_have_text("Revenus")
    tabuler_jusqua(page, page.get_by_label("Salaires ou revenus d'activité – Demandeur"))
    clavier.type("1 120,00")
    clavier.press("Enter")

    # Situation actuelle : le premier champ a le focus.
    expect(onglet_actif(page)).to_have_text("Situation actuelle")
    statut = page.get_by_label("Statut d'occupation (obligatoire)")
    expect(statut).to_be_focused()
    clavier.press("L")
    expect(statut).to_have_value("locataire_hlm")
    tabuler_jusqua(page, page.get_by_role("link", name="Suivant : Logement recherché"))
    clavier.press("Enter")

    tabuler_jusqua(page, page.get_by_label("T3 - 3 pièces"))
    clavier.press("Space")
    expect(page.get_by_label("T3 - 3 pièces")).to_be_checked()
    tabuler_jusqua(page, page.get_by_role("link", name="Suivant : Localisations souhaitées"))
    clavier.press("Enter")

    # La commune tapée par son nom, choisie parmi les suggestions (flèche bas, Entrée).
    expect(page.get_by_label("Rang du choix 1")).to_be_focused()
    clavier.type("1")
    commune = page.get_by_label("Commune du choix 1")
    tabuler_jusqua(page, commune)
    clavier.type("rez")
    suggestion = page.get_by_role("option", name=re.compile("^Rezé"))
    expect(suggestion).to_be_visible()
    expect(commune).to_have_attribute("aria-expanded", "true")
    capture("saisie_commune_suggestions")
    clavier.press("ArrowDown")
    expect(suggestion).to_have_attribute("aria-selected", "true")
    clavier.press("Enter")
    expect(commune).to_have_value("Rezé (44143)")
    expect(commune).to_have_attribute("aria-expanded", "false")
    assert not Demande.objects.exists()
    tabuler_jusqua(page, page.get_by_role("link", name="Suivant : Motifs"))
    clavier.press("Enter")

    tabuler_jusqua(page, page.get_by_label("Logement trop cher"))
    clavier.press("Space")
    creer = page.get_by_role("button", name="Créer la demande")
    tabuler_jusqua(page, creer)
    clavier.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("DURAND Alice")
    demande = Demande.objects.get()
    expect(page.get_by_role("status")).to_contain_text(f"numéro unique {demande.numero_unique_affiche}")
    assert demande.etat == Demande.Etat.ACTIVE
    assert [loc.commune.nom for loc in demande.localisations.all()] == ["Rezé"]


def test_toutes_les_erreurs_en_un_seul_envoi(page, connecter, agent, axe, capture):
    connecter(agent)
    page.goto("/demandes/nouvelle/")
    page.get_by_role("button", name="Créer la demande").click()

    resume = page.locator("#resume-erreurs")
    expect(resume).to_be_visible()
    expect(page.locator("#resume-erreurs:focus")).to_have_count(1)
    liens = resume.get_by_role("link")
    attendues = [
        "Pièce d'identité du demandeur",
        "Demandeur – Nom",
        "Demandeur – Prénom",
        "Demandeur – Date de naissance",
        "Demandeur – Nationalité",
        "Statut d'occupation",
        "Typologies recherchées",
        "Motifs de la demande",
        "Localisations souhaitées",
    ]
    expect(liens).to_have_count(len(attendues))
    assert sorted(liens.all_inner_texts()) == sorted(attendues)
    expect(resume).to_contain_text(f"{len(attendues)} points à corriger")
    capture("saisie_erreurs_1366")
    axe()

    # Chaque champ en erreur est relié à son message ; le lien du récapitulatif ouvre l'onglet du champ.
    resume.get_by_role("link", name="Statut d'occupation").click()
    statut = page.get_by_label("Statut d'occupation (obligatoire)")
    expect(statut).to_be_focused()
    expect(statut).to_have_attribute("aria-invalid", "true")
    assert "id_statut_occupation_error" in statut.get_attribute("aria-describedby")

    # Corriger exactement ces points suffit : aucun deuxième envoi ne révèle d'autres erreurs.
    page.get_by_role("tab", name=re.compile("^Demandeur")).click()
    page.get_by_label("Pièce d'identité du demandeur").set_input_files(
        files=[{"name": "carte-identite.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_label("Nom (obligatoire)", exact=True).fill("Martin")
    page.get_by_label("Prénom (obligatoire)", exact=True).fill("Léa")
    page.get_by_label("Date de naissance (obligatoire)").fill("12/05/1985")
    page.get_by_label("Nationalité (obligatoire)").select_option("francaise")
    page.get_by_role("tab", name=re.compile("^Situation actuelle")).click()
    statut.select_option("locataire_prive")
    page.get_by_role("tab", name=re.compile("^Logement recherché")).click()
    page.get_by_label("T2 - 2 pièces").check()
    page.get_by_role("tab", name=re.compile("^Localisations")).click()
    page.get_by_label("Commune du choix 1").fill("Rezé")
    page.get_by_role("tab", name=re.compile("^Motifs")).click()
    page.get_by_label("Logement trop petit").check()
    page.get_by_role("button", name="Créer la demande").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("MARTIN Léa")
    assert Demande.objects.get().etat == Demande.Etat.ACTIVE


def test_entree_ne_sauve_jamais_de_brouillon_meme_sans_javascript(navigateur, page, connecter, agent, live_server):
    connecter(agent)
    sans_js = navigateur.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False, storage_state=page.context.storage_state()
    )
    try:
        autre = sans_js.new_page()
        autre.goto("/demandes/nouvelle/")
        autre.get_by_label("Nom (obligatoire)", exact=True).fill("Petit")
        autre.get_by_label("Prénom (obligatoire)", exact=True).fill("Jean")
        autre.get_by_label("Date de naissance (obligatoire)").fill("01/02/1980")
        autre.get_by_label("Date de naissance (obligatoire)").press("Enter")
        # La page revient telle que saisie, sans erreur ni brouillon : « Sauver le brouillon » reste un choix.
        expect(autre.get_by_label("Nom (obligatoire)", exact=True)).to_have_value("Petit")
        expect(autre.locator("#resume-erreurs")).to_have_count(0)
        assert not Demande.objects.exists()
    finally:
        sans_js.close()

    page.goto("/demandes/nouvelle/")
    page.get_by_label("Nom (obligatoire)", exact=True).fill("Petit")
    page.get_by_label("Nom (obligatoire)", exact=True).press("Enter")
    expect(onglet_actif(page)).to_have_text("Co-demandeur")
    assert not Demande.objects.exists()
    page.get_by_role("button", name="Sauver le brouillon").click()
    expect(page.get_by_role("alert")).to_contain_text("Prénom")
    assert not Demande.objects.exists()


def test_chaque_onglet_de_la_saisie_sans_defaut_axe_et_captures(page, connecter, agent, axe, capture):
    connecter(agent)
    for largeur in (1366, 1920):
        page.set_viewport_size({"width": largeur, "height": 900})
        page.goto("/demandes/nouvelle/")
        for nom in ONGLETS:
            page.get_by_role("tab", name=nom, exact=True).click()
            expect(page.get_by_role("tabpanel")).to_be_visible()
            if largeur == 1366:
                axe()
            capture(f"saisie_{largeur}_{nom.lower().replace(' ', '_').replace('é', 'e')}")
    # Les champs obligatoires sont marqués et la légende l'explique.
    expect(page.locator("#legende-obligatoire")).to_contain_text("(obligatoire)")
    page.get_by_role("tab", name="Demandeur", exact=True).click()
    expect(page.get_by_label("Nationalité (obligatoire)")).to_have_attribute("aria-required", "true")
    expect(page.get_by_label("Nom (obligatoire)", exact=True)).to_have_attribute("required", "")
