"""Parcours dans un vrai Chromium headless (paquet Debian `chromium`), piloté
par Playwright avec ``executable_path`` : aucun navigateur n'est téléchargé ;
connexion d'un agent par le formulaire, agent de guichet de Rezé."""

import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from tests.monde.factories import MOT_DE_PASSE, code_totp
from tests.monde.territoires import ville_de_reze

CHROMIUM = os.environ.get("FDLS_CHROMIUM", "/usr/bin/chromium")
CAPTURES = os.environ.get("FDLS_CAPTURES")  # dossier où enregistrer les captures, pour les regarder
ARGUMENTS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def navigateur():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium est introuvable ({CHROMIUM}) : `apt-get install chromium` (fait par scripts/tester.sh).")
    # Playwright (sync) fait tourner une boucle asyncio dans ce fil ; l'accès à
    # la base depuis le test reste synchrone et sûr.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGUMENTS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(navigateur, live_server):
    contexte = navigateur.new_context(base_url=live_server.url, locale="fr-FR")
    page = contexte.new_page()
    yield page
    contexte.close()


@pytest.fixture
def connecter(page):
    """``connecter(agent)`` : connexion par le formulaire (mot de passe, puis code TOTP), jusqu'à l'accueil."""

    def connecter_agent(agent):
        page.goto("/connexion/")
        page.get_by_label("Adresse électronique").fill(agent.email)
        page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_label("Code à 6 chiffres").fill(code_totp())
        page.get_by_role("button", name="Valider").click()
        page.wait_for_url("**/")

    return connecter_agent


@pytest.fixture
def agent():
    """Un agent de guichet de la Ville de Rezé, avec son appareil TOTP ; ``agent.reze``, ``agent.guichet``."""
    t = ville_de_reze(avec_totp=True)
    t.agent.reze, t.agent.guichet = t.reze, t.guichet
    return t.agent


@pytest.fixture
def capture(page):
    """``capture(nom)`` : copie de la page entière dans ``FDLS_CAPTURES``, si la variable est posée."""

    def capturer(nom):
        if CAPTURES:
            Path(CAPTURES).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(CAPTURES) / f"{nom}.png"), full_page=True)

    return capturer


@pytest.fixture
def axe(page):
    """``axe()`` : audit axe-core (RGAA / WCAG 2.1 AA) de la page ouverte ; échoue en listant chaque violation.

    axe-core est livré dans le paquet ``axe-playwright-python`` (``axe.min.js``) : rien n'est téléchargé."""

    def auditer(contexte=None):
        resultats = Axe().run(
            page,
            context=contexte,
            options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}},
        )
        violations = resultats.response["violations"]
        assert not violations, f"{page.url} : " + resultats.generate_report()

    return auditer
