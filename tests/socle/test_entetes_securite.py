"""En-têtes de sécurité : ``Permissions-Policy`` sur toute réponse, ``Cache-Control: no-store`` sur toute réponse
de l'API (données nominatives : ni le navigateur ni un proxy ne les gardent), succès comme erreurs."""

import pytest
from django.urls import reverse


def _no_store(reponse):
    return "no-store" in reponse.get("Cache-Control", "")


def test_toute_reponse_de_l_api_interdit_la_mise_en_cache(client, jeton):
    _agent, entetes, _objet = jeton()
    reponses = {
        "moi": client.get(reverse("v1:moi"), headers=entetes),
        "liste": client.get(reverse("v1:demande-list"), headers=entetes),
        "sans jeton": client.get(reverse("v1:demande-list")),
        "jeton faux": client.get(reverse("v1:demande-list"), headers={"Authorization": "Token faux"}),
        "inconnue": client.get("/api/v1/nexiste-pas/", headers=entetes),
        "schéma": client.get(reverse("v1:schema")),
        "racine": client.get("/api/v1/", headers=entetes),
    }
    assert reponses["moi"].status_code == 200
    assert reponses["sans jeton"].status_code in (401, 403)
    for nom, reponse in reponses.items():
        assert _no_store(reponse), nom
        assert reponse.get("Pragma") == "no-cache", nom


@pytest.mark.parametrize("url", ["/connexion/", "/portail/connexion/", "/api/v1/", "/healthz", "/nexiste-pas/"])
def test_permissions_policy_coupe_les_capteurs_et_les_paiements(client, url):
    reponse = client.get(url)
    politique = reponse.get("Permissions-Policy", "")
    for fonction in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert fonction in politique, (url, politique)


def test_une_url_de_l_api_hors_des_routes_repond_dans_la_forme_documentee(client, jeton):
    """Schemathesis (ST108) : un identifiant qui ne suit pas le motif de la route passe par le 404 de Django ;
    le corps a quand même la forme d'erreur de l'API, ``detail`` et ``code``."""
    _agent, entetes, _objet = jeton()
    reponse = client.get("/api/v1/demandes/0.5/", headers=entetes)
    assert reponse.status_code == 404
    assert reponse.json() == {"detail": "Ressource introuvable.", "code": "introuvable"}
