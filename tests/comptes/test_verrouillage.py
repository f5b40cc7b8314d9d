"""Verrouillage après échecs répétés : compté par compte, quelle que soit l'écriture de l'adresse,
sur les trois formulaires de connexion (agents, portail des demandeurs, administration Django)."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.monde.factories import MOT_DE_PASSE, AgentFactory, DemandeurFactory

#: La connexion retrouve le compte sans tenir compte de la casse ni des espaces autour.
VARIANTES = ["Sec@X.fr", "sec@x.fr ", " SEC@x.FR", "sec@X.FR", "sEc@x.fr\t", "SEC@X.FR  "]


def _compte(formulaire):
    if formulaire == "portail:connexion":
        return DemandeurFactory(email="sec@x.fr")
    if formulaire == "admin:login":
        return AgentFactory(email="sec@x.fr", is_staff=True, is_superuser=True)
    return AgentFactory(email="sec@x.fr")


@pytest.mark.parametrize("formulaire", ["comptes:connexion", "portail:connexion", "admin:login"])
def test_les_echecs_sont_comptes_par_compte_quelle_que_soit_l_ecriture_de_l_adresse(client, formulaire):
    _compte(formulaire)
    url = reverse(formulaire)
    for variante in VARIANTES[: settings.AXES_FAILURE_LIMIT]:
        reponse = client.post(url, {"username": variante, "password": "mauvais-mot-de-passe"})
        assert reponse.status_code in (200, 429), variante
    # Verrouillé : même le bon mot de passe, sous une autre écriture encore, est refusé.
    for variante in ("sec@x.fr", VARIANTES[-1]):
        reponse = client.post(url, {"username": variante, "password": MOT_DE_PASSE})
        assert reponse.status_code == 429, variante
        assert "verrouill" in reponse.content.decode().lower()
    assert "_auth_user_id" not in client.session


def test_le_verrouillage_d_un_compte_ne_touche_pas_les_autres(client):
    AgentFactory(email="sec@x.fr")
    autre = AgentFactory(email="autre@x.fr")
    for variante in VARIANTES[: settings.AXES_FAILURE_LIMIT]:
        client.post(reverse("comptes:connexion"), {"username": variante, "password": "mauvais-mot-de-passe"})
    reponse = client.post(reverse("comptes:connexion"), {"username": autre.email, "password": MOT_DE_PASSE})
    assert reponse.status_code == 302
