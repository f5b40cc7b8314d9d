"""Configuration stricte de la suite : vraie base PostgreSQL, vrai Redis.

Chaque worker xdist travaille sur sa propre base de test (pytest-django) et
sa propre base Redis (numéro du worker), pour que les tests parallèles ne se
marchent pas dessus. Une variable indéfinie dans un gabarit du projet fait
échouer le test (``tests/gabarits_stricts.py``). Le monde des tests (fabriques, territoires, dossiers)
est dans ``tests/monde/`` ; ici, les fixtures partagées.
"""

import importlib
import os

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction

from demandes.models import ParametreReglementaire, PlafondRessources, TypeLabel
from fdls.comptes import services as comptes
from fdls.comptes.models import JetonApi
from fdls.socle.cache import vider_tous
from observatoire.models import Objectif, SeuilSecret
from tests import gabarits_stricts
from tests.monde.factories import AgentFactory, TOTPDeviceFactory
from tests.monde.territoires import loire_atlantique_de_demonstration, ville_de_reze


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
    gabarits_stricts.activer()


@pytest.fixture(autouse=True)
def _base_par_defaut(db):
    """Tous les tests ont accès à la base (transaction annulée à la fin)."""


@pytest.fixture(autouse=True)
def _aucune_variable_indefinie():
    """Échoue si un gabarit du projet a lu une variable indéfinie hors du fil principal (serveur des tests du
    navigateur), où ``tests.gabarits_stricts`` ne peut que la noter ; dans le fil principal, le rendu échoue."""
    erreurs = gabarits_stricts.VARIABLE_INDEFINIE.erreurs
    erreurs.clear()
    yield
    if erreurs:
        pytest.fail("\n".join(dict.fromkeys(erreurs)), pytrace=False)


@pytest.fixture(autouse=True)
def _pieces_dans_le_test(settings, tmp_path):
    """Pièces justificatives (la pièce d'identité jointe à chaque enregistrement) et lettres aux demandeurs
    dans des répertoires du test, jamais dans ceux du projet."""
    settings.FDLS_PIECES_ROOT = tmp_path / "pieces"
    settings.FDLS_COURRIERS_DIR = str(tmp_path / "courriers")


@pytest.fixture(autouse=True)
def _caches_vides():
    """Référentiels en cache par processus (``fdls.socle.cache``) : chaque test repart de la base."""
    vider_tous()
    yield
    vider_tous()


@pytest.fixture(autouse=True)
def _parametres_reglementaires(_base_par_defaut):
    """Les tests ``transaction=True`` vident les tables, y compris les lignes des migrations de données :
    durées réglementaires (0005), plafonds de ressources (0007, 0023), référentiel des labels (0012, 0016),
    objectifs légaux et seuil du secret de l'observatoire sont remis s'ils manquent, comme après les
    migrations. Chaque rechargement est une transaction : une suite interrompue pendant le rechargement
    (session arrêtée, Ctrl-C) ne laisse pas dans la base réutilisée (``--reuse-db``) une table à moitié
    remplie que les suites suivantes prendraient pour complète."""
    for modele, chargeurs in (
        (ParametreReglementaire, [("0005_parametres_reglementaires", "creer")]),
        (PlafondRessources, [("0007_plafonds_quartiles", "charger"), ("0023_plafonds_confirmes_plai_2025", "charger")]),
        (TypeLabel, [("0012_referentiel_labels", "creer"), ("0016_labels_cotation", "creer")]),
    ):
        if not modele.objects.exists():
            with transaction.atomic():
                for module, fonction in chargeurs:
                    getattr(importlib.import_module(f"demandes.migrations.{module}"), fonction)(apps, None)
    # Objectifs légaux et seuil du secret statistique de l'observatoire (migration observatoire 0001).
    if not (Objectif.objects.exists() and SeuilSecret.objects.exists()):
        with transaction.atomic():
            importlib.import_module("observatoire.migrations.0001_initial").creer_parametres(apps, None)


# ---------------------------------------------------------------- comptes


@pytest.fixture
def agent_verifie(client):
    """Connecte un agent qui a passé le second facteur ; renvoie une fonction."""

    def connecter(user=None, **kwargs):
        user = user or AgentFactory(**kwargs)
        device = TOTPDeviceFactory(user=user)
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        return user

    return connecter


@pytest.fixture
def jeton():
    """``jeton(agent=None, ecriture=False, expire_le=None, **traits)`` → (agent, en-têtes HTTP, JetonApi) ;
    sans agent, un agent de ``AgentFactory(**traits)``. Le jeton est créé par le service des comptes."""

    def creer(agent=None, *, ecriture=False, expire_le=None, **traits):
        agent = agent or AgentFactory(**traits)
        portee = JetonApi.Portee.ECRITURE if ecriture else JetonApi.Portee.LECTURE
        objet, cle = comptes.creer_jeton(agent=agent, nom="ERP de test", portee=portee, expire_le=expire_le)
        return agent, {"Authorization": f"Token {cle}"}, objet

    return creer


# ---------------------------------------------------------------- territoires et fichiers


@pytest.fixture
def territoire_reze():
    """``ville_de_reze()`` : Rezé, la Ville de Rezé, son guichet « 10865 » et un agent ; Nantes hors territoire."""
    return ville_de_reze()


@pytest.fixture
def partenaires():
    """Le référentiel des communes et les partenaires de la démonstration (pour le générateur)."""
    loire_atlantique_de_demonstration()


@pytest.fixture
def stockage(settings, tmp_path):
    """Un répertoire des pièces justificatives propre au test (``pytest.mark.usefixtures("stockage")``)."""
    settings.FDLS_PIECES_ROOT = tmp_path / "pieces"
    return settings.FDLS_PIECES_ROOT
