"""Parcours dans un vrai Chromium headless (paquet Debian `chromium`), piloté
par Playwright avec ``executable_path`` : aucun navigateur n'est téléchargé."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("FDLS_CHROMIUM", "/usr/bin/chromium")
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
    from playwright.sync_api import sync_playwright

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
