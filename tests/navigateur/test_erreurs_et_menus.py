"""Erreurs et menus (issue 20, point 7) : la démonstration sans DEBUG, pages d'erreur en français, menu selon
le rôle, sans rubrique encore vide, favicon."""

import subprocess
import tempfile

import pytest
from django.conf import settings

from fdls import lanceur
from tests.fiabilite.serveurs import RACINE, attendre, lire, port_libre, port_ouvert
from tests.monde.factories import AgentFactory, OrganismeFactory, TOTPDeviceFactory

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

RUBRIQUES_VIDES = ["Instruction", "Éditions"]


@pytest.fixture
def serveur_de_demo(monkeypatch):
    """Le processus web que lance ``make run`` (``fdls.lanceur``), avec son environnement, sur la base de test."""
    port = port_libre()
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    monkeypatch.setenv("FDLS_ENV", "dev")
    env = lanceur.environnement()
    base = settings.DATABASES["default"]
    env["DATABASE_URL"] = f"postgres://{base['USER']}@{base['HOST']}:{base['PORT']}/{base['NAME']}"
    env["REDIS_URL"] = settings.REDIS_URL
    commande = [*lanceur.commandes(port)["web"], "--noreload"]
    with tempfile.NamedTemporaryFile("w+") as journal, tempfile.TemporaryDirectory() as statiques:
        env["FDLS_STATIC_ROOT"] = statiques  # vide : rien n'est collecté, WhiteNoise lit les sources
        web = subprocess.Popen(commande, cwd=RACINE, env=env, stdout=journal, stderr=subprocess.STDOUT)
        try:
            attendre(lambda: port_ouvert(port) or web.poll() is not None, delai=60)
            assert web.poll() is None, lire(journal)
            yield f"http://127.0.0.1:{port}"
        finally:
            web.terminate()
            web.wait(10)


def test_la_demo_tourne_sans_debug_404_francaise_statiques_et_favicon_servis(navigateur, serveur_de_demo):
    assert lanceur.environnement()["DJANGO_DEBUG"] == "false"
    contexte = navigateur.new_context(base_url=serveur_de_demo, locale="fr-FR")
    page = contexte.new_page()
    statiques = {}
    page.on("response", lambda r: statiques.__setitem__(r.url.removeprefix(serveur_de_demo), r.status))
    try:
        reponse = page.goto("/adresse-qui-n-existe-pas/")

        assert reponse.status == 404
        assert page.get_by_role("heading", level=1).inner_text() == "Page introuvable"
        assert page.locator("html").get_attribute("lang") == "fr"
        html = page.content()
        assert "URLconf" not in html
        assert "DEBUG" not in html
        assert "Page not found" not in html
        # La feuille de style est servie sans DEBUG ni collectstatic : la page est mise en forme.
        assert statiques["/static/css/fdls.css"] == 200
        assert page.locator(".lien-evitement").evaluate("e => getComputedStyle(e).position") == "absolute"
        icone = page.locator("link[rel=icon][type='image/svg+xml']").get_attribute("href")
        assert page.request.get(icone).status == 200
        favicon = page.request.get("/favicon.ico")
        assert favicon.status == 200
        assert favicon.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    finally:
        contexte.close()


def _rubriques(page) -> list[str]:
    navigation = page.get_by_role("navigation", name="Navigation principale")
    return [t.strip() for t in navigation.get_by_role("link").all_inner_texts()]


def test_le_menu_de_l_agent_de_guichet_n_a_ni_administration_ni_rubrique_vide(page, connecter, agent):
    connecter(agent)

    assert _rubriques(page) == ["Demande", "Offre", "Statistiques", "Gestion"]
    page.get_by_role("link", name="Demande", exact=True).click()
    page.wait_for_url("**/demandes/**")
    lien = page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Demande")
    assert lien.get_attribute("aria-current") == "page"


def test_le_menu_de_l_administrateur_du_gestionnaire(page, connecter):
    admin = AgentFactory(administrateur=True)
    TOTPDeviceFactory(user=admin)
    connecter(admin)

    assert _rubriques(page) == ["Demande", "Offre", "Statistiques", "Gestion", "Cotation", "Administration"]
    for rubrique in RUBRIQUES_VIDES:
        assert rubrique not in _rubriques(page)


def test_le_menu_de_l_observateur_sans_donnee_nominative(page, connecter):
    observateur = AgentFactory(observateur=True, organisme=OrganismeFactory())
    TOTPDeviceFactory(user=observateur)
    connecter(observateur)

    assert _rubriques(page) == ["Offre", "Statistiques", "Gestion"]
