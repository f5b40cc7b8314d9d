"""Schéma OpenAPI sans avertissement, documentation servie sans CDN, index de l'API."""

import json
import re

import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

URL_EXTERNE = re.compile(r"(?:https?:)?//(?!testserver)[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)


def test_schema_genere_sans_avertissement(tmp_path):
    fichier = tmp_path / "schema.yaml"
    # --fail-on-warn : une vue mal décrite (type, nom d'énumération, paramètre) fait échouer la commande.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(fichier))
    schema = yaml.safe_load(fichier.read_text(encoding="utf-8"))
    assert schema["openapi"].startswith("3.")
    chemins = set(schema["paths"])
    assert {
        "/api/v1/moi/",
        "/api/v1/departements/",
        "/api/v1/epci/",
        "/api/v1/communes/",
        "/api/v1/quartiers/",
        "/api/v1/organismes/",
        "/api/v1/organismes/{id}/",
        "/api/v1/guichets/",
        "/api/v1/guichets/{id}/",
        "/api/v1/demandes/",
        "/api/v1/demandes/{id}/",
        "/api/v1/demandes/{id}/historique/",
        "/api/v1/demandes/{id}/renouveler/",
        "/api/v1/demandes/{id}/annuler/",
        "/api/v1/demandes/{id}/reactiver/",
        "/api/v1/demandes/par-numero/{numero}/",
    } <= chemins
    assert set(schema["paths"]["/api/v1/organismes/{id}/"]) == {"get", "patch"}
    assert set(schema["paths"]["/api/v1/guichets/"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/demandes/"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/demandes/{id}/"]) == {"get", "put", "patch"}
    assert schema["components"]["securitySchemes"]["jeton"]["name"] == "Authorization"


def test_schema_public_en_json(client):
    reponse = client.get("/api/v1/schema/", {"format": "json"})
    assert reponse.status_code == 200
    schema = json.loads(reponse.content)
    assert schema["info"]["title"] == "API FDLS"
    assert "/api/v1/demandes/" in schema["paths"]


def _sans_ressource_externe(html: str) -> None:
    assert not URL_EXTERNE.findall(html), URL_EXTERNE.findall(html)


def _ressources_locales(html: str) -> list[str]:
    chemins = re.findall(r'(?:src|href)="(/static/[^"?]+)"', html)
    for chemin in chemins:
        assert finders.find(chemin.removeprefix("/static/")), f"{chemin} absent des fichiers statiques"
    return chemins


def test_swagger_ui_servi_sans_cdn(client):
    reponse = client.get("/api/v1/docs/")
    assert reponse.status_code == 200
    html = reponse.content.decode()
    _sans_ressource_externe(html)
    chemins = _ressources_locales(html)
    assert any(c.endswith("swagger-ui-bundle.js") for c in chemins)
    assert "<script>" not in html  # aucun script en ligne : la CSP « script-src 'self' » suffit
    politique = reponse["Content-Security-Policy"]
    assert "script-src 'self'" in politique
    assert "http" not in politique
    script = re.search(r'<script src="([^"]+\?script=[^"]*)"', html).group(1)
    initialisation = client.get(script.replace("&amp;", "&"))
    assert initialisation.status_code == 200
    assert "/api/v1/schema/" in initialisation.content.decode()
    _sans_ressource_externe(initialisation.content.decode())


def test_redoc_servi_sans_cdn_ni_police_externe(client):
    reponse = client.get("/api/v1/redoc/")
    assert reponse.status_code == 200
    html = reponse.content.decode()
    _sans_ressource_externe(html)
    assert any(c.endswith("redoc.standalone.js") for c in _ressources_locales(html))
    assert 'spec-url="/api/v1/schema/"' in html
    assert "http" not in reponse["Content-Security-Policy"]


def test_index_de_l_api_liste_les_points_d_entree(client):
    reponse = client.get("/api/v1/")
    assert reponse.status_code == 200
    index = reponse.json()
    assert index["demandes"] == "http://testserver/api/v1/demandes/"
    assert index["moi"] == "http://testserver/api/v1/moi/"
    assert index["documentation"] == "http://testserver/api/v1/docs/"
    assert {"communes", "departements", "epci", "quartiers", "organismes", "guichets", "schema"} <= set(index)
