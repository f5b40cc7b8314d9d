"""Le parc : fichiers d'import dans un stockage privé propre à chaque test ; jetons d'API."""

import pytest

from fdls.comptes import services
from fdls.comptes.models import JetonApi


@pytest.fixture(autouse=True)
def _stockage_prive(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "prive"


@pytest.fixture
def jeton():
    """``jeton(agent, ecriture=False)`` → (agent, en-têtes HTTP, JetonApi)."""

    def creer(agent, *, ecriture=False):
        portee = JetonApi.Portee.ECRITURE if ecriture else JetonApi.Portee.LECTURE
        objet, cle = services.creer_jeton(agent=agent, nom="ERP du bailleur", portee=portee)
        return agent, {"Authorization": f"Token {cle}"}, objet

    return creer
