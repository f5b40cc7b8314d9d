"""Outils des tests de l'API : jetons créés par le service, en-têtes d'authentification."""

import pytest

from fdls.comptes import services
from fdls.comptes.models import JetonApi
from tests.factories import AgentFactory


@pytest.fixture
def jeton():
    """``jeton(agent=None, ecriture=False, expire_le=None, **traits)`` → (agent, en-têtes HTTP, JetonApi)."""

    def creer(agent=None, *, ecriture=False, expire_le=None, **traits):
        agent = agent or AgentFactory(**traits)
        portee = JetonApi.Portee.ECRITURE if ecriture else JetonApi.Portee.LECTURE
        objet, cle = services.creer_jeton(agent=agent, nom="ERP de test", portee=portee, expire_le=expire_le)
        return agent, {"Authorization": f"Token {cle}"}, objet

    return creer
