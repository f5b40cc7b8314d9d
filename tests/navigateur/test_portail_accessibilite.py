"""Accessibilité du portail (RGAA AA) : axe-core sans violation sur chaque page, publique et de l'espace, à 1366 et
375 px (captures regardées) ; connexion, lecture d'une demande et renouvellement au clavier seul."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from demandes.dossier.workflow import ecrire_evenement
from demandes.models import Demande, Evenement
from fdls.socle.workflow import Auteur
from observatoire.photos.services import photographier_fichier
from tests.monde.factories import MOT_DE_PASSE, LogementFactory
from tests.monde.territoires import territoire_nantes
from tests.navigateur.test_saisie import tabuler_jusqua
from tests.portail.aides import demandeur_et_demande

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

PUBLIQUES = [
    ("accueil", "/portail/"),
    (
        "eligibilite",
        "/portail/eligibilite/?couple=0&age_demandeur=40&a_charge=1&autres_adultes=0&rfr=18000&zone=autres",
    ),
    ("eligibilite_erreurs", "/portail/eligibilite/?couple=1&age_demandeur=abc&rfr=-1"),
    ("guichets", "/portail/guichets/"),
    ("chiffres", "/portail/chiffres/?commune=44143"),
    ("connexion", "/portail/connexion/"),
    ("inscription", "/portail/inscription/"),
    ("nouveau_lien", "/portail/inscription/nouveau-lien/"),
]
ESPACE = [
    "",
    "dossier/",
    "dossier/modifier/",
    "renouveler/",
    "historique/",
    "documents/",
    "cotation/",
    "decisions/",
    "priorites/",
    "consultations/",
]


def _connecter(page, demandeur):
    page.goto("/portail/connexion/")
    page.get_by_label("Adresse électronique").fill(demandeur.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")


def _monde():
    m = territoire_nantes(grille=True)
    moi, demande = demandeur_et_demande(m)
    logement = LogementFactory(commune=m.reze, programme__commune=m.reze)
    ecrire_evenement(
        demande,
        Evenement.Type.DECISION_CAL,
        Auteur.agent(m.agent_bailleur),
        precisions="Commission 0001 - séance du 12/01/2026 - Décision : Attribution - Rang : 1",
        details={"decision": "attribution", "rang": 1, "logement": logement.pk, "seance": "2026-01-12"},
    )
    Demande.objects.filter(pk=demande.pk).update(date_expiration=timezone.localdate() + datetime.timedelta(days=15))
    photographier_fichier()  # les chiffres clés publics se lisent sur la photo du mois
    return m, moi, demande


@pytest.mark.parametrize("largeur", [1366, 375])
def test_aucune_violation_axe_sur_les_pages_du_portail(page, axe, capture, largeur):
    m, moi, demande = _monde()
    page.set_viewport_size({"width": largeur, "height": 900})
    for nom, chemin in PUBLIQUES:
        page.goto(chemin)
        axe()
        capture(f"portail_{nom}_{largeur}")
        assert page.evaluate("document.documentElement.scrollWidth") <= largeur + 1, chemin
    _connecter(page, moi)
    axe()
    capture(f"portail_espace_{largeur}")
    for rubrique in ESPACE:
        page.goto(f"/portail/espace/demandes/{demande.pk}/{rubrique}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe()
        capture(f"portail_demande_{rubrique.strip('/').replace('/', '_') or 'accueil'}_{largeur}")
        # Lisible à 375 px : rien ne déborde de la largeur de l'écran.
        assert page.evaluate("document.documentElement.scrollWidth") <= largeur + 1, rubrique
    for chemin in (
        "/portail/espace/rattacher/",
        "/portail/espace/rattacher/code/",
        "/portail/espace/courriels/",
        "/portail/espace/depot/",
    ):
        page.goto(chemin)
        axe()
        capture(f"portail_{chemin.strip('/').replace('/', '_')}_{largeur}")


def test_au_clavier_seul_connexion_lecture_et_renouvellement(page):
    _m, moi, demande = _monde()
    page.goto("/portail/connexion/")
    clavier = page.keyboard
    tabuler_jusqua(page, page.get_by_label("Adresse électronique"))
    clavier.type(moi.email)
    tabuler_jusqua(page, page.get_by_label("Mot de passe"))
    clavier.type(MOT_DE_PASSE)
    clavier.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")

    tabuler_jusqua(page, page.get_by_role("link", name="Demande n°"))
    clavier.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma demande de logement social")
    menu = page.get_by_role("navigation", name="Ma demande")
    tabuler_jusqua(page, menu.get_by_role("link", name="Décisions des commissions"))
    clavier.press("Enter")
    expect(page.locator("#contenu")).to_contain_text("Attribution – séance du 12/01/2026")
    tabuler_jusqua(
        page, page.get_by_role("navigation", name="Ma demande").get_by_role("link", name="Accueil de ma demande")
    )
    clavier.press("Enter")
    tabuler_jusqua(page, page.get_by_role("link", name="Renouveler ma demande"))
    clavier.press("Enter")
    bouton = page.get_by_role("button", name="Renouveler ma demande")
    tabuler_jusqua(page, bouton)
    clavier.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Votre demande est renouvelée")
    demande.refresh_from_db()
    assert demande.date_expiration > timezone.localdate() + datetime.timedelta(days=300)
