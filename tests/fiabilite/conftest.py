"""Fixtures des exercices de panne : un broker propre à chaque test."""

import pytest

from fdls.socle import taches
from tests.fiabilite.serveurs import ValkeyPrive


@pytest.fixture
def valkey_prive(tmp_path):
    serveur = ValkeyPrive(tmp_path / "valkey").demarrer()
    try:
        yield serveur
    finally:
        serveur.arreter()
        # Ce broker n'existe plus : l'éventuelle suspension des envois vers son adresse non plus.
        taches._lever_suspension(serveur.url)


@pytest.fixture
def broker_prive(settings, valkey_prive):
    """L'application (envois, /healthz, battement) pointe vers le Valkey du test."""
    settings.CELERY_BROKER_URL = valkey_prive.url
    settings.REDIS_URL = valkey_prive.url
    return valkey_prive
