"""Configuration stricte de la suite : vraie base PostgreSQL, vrai Redis.

Chaque worker xdist travaille sur sa propre base de test (pytest-django) et
sa propre base Redis (numéro du worker), pour que les tests parallèles ne se
marchent pas dessus.
"""

import os

import pytest
from django.conf import settings

from fdls.socle.cache import vider_tous
from tests.factories import AgentFactory, TOTPDeviceFactory


def pytest_configure(config):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    numero = int(worker.removeprefix("gw") or 0)
    base, _, _ = settings.REDIS_URL.rpartition("/")
    settings.REDIS_URL = f"{base}/{1 + numero % 15}"
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    # Hachage rapide en test seulement ; Argon2 est vérifié par un test dédié.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _base_par_defaut(db):
    """Tous les tests ont accès à la base (transaction annulée à la fin)."""


@pytest.fixture
def agent_verifie(client):
    """Connecte un agent qui a passé le second facteur ; renvoie une fonction."""
    from django_otp import login as otp_login  # noqa: F401

    def connecter(user=None, **kwargs):
        user = user or AgentFactory(**kwargs)
        device = TOTPDeviceFactory(user=user)
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        return user

    return connecter


@pytest.fixture(autouse=True)
def _caches_vides():
    """Référentiels en cache par processus (``fdls.socle.cache``) : chaque test repart de la base."""
    vider_tous()
    yield
    vider_tous()


@pytest.fixture(autouse=True)
def _parametres_reglementaires(_base_par_defaut):
    """Les tests ``transaction=True`` vident les tables, y compris les lignes des migrations de données :
    durées réglementaires (0005), plafonds de ressources (0007) et référentiel des labels (0012, 0016)
    sont remis s'ils manquent, comme après les migrations."""
    import importlib

    from django.apps import apps

    from demandes.models import ParametreReglementaire, PlafondRessources, TypeLabel

    for modele, module, fonction in (
        (ParametreReglementaire, "0005_parametres_reglementaires", "creer"),
        (PlafondRessources, "0007_plafonds_quartiles", "charger"),
        (TypeLabel, "0012_referentiel_labels", "creer"),
    ):
        if not modele.objects.exists():
            getattr(importlib.import_module(f"demandes.migrations.{module}"), fonction)(apps, None)
            if modele is TypeLabel:
                importlib.import_module("demandes.migrations.0016_labels_cotation").creer(apps, None)
