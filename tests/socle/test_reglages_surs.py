"""Sûr par défaut : sans ``FDLS_ENV``, l'application ne sert pas hors du poste avec DEBUG et la clé connue ;
en production, elle refuse de démarrer avec une clé secrète faible."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

CLE_FORTE = "k7#Qz9!vR2$wX5^mB8&nL1*pT4(hJ6)gF3-dS0+aZyUeIoPcVbNtMqWrEsYxKj"


def _demarrer(**env):
    """Importe les réglages dans un processus neuf, avec l'environnement donné (sans ``.env`` ni variables FDLS)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("FDLS_", "DJANGO_"))}
    base.update(
        {
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "REDIS_URL": os.environ["REDIS_URL"],
            "EMAIL_URL": "smtp://127.0.0.1:25",
        }
    )
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import fdls.settings"],
        cwd=settings.BASE_DIR,
        env=base,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "cle",
    [
        pytest.param("", id="absente"),
        pytest.param("trop-courte-0123456789", id="courte"),
        pytest.param("a" * 60, id="peu-variee"),
        pytest.param("django-insecure-" + "x1y2z3w4v5" * 5, id="django-insecure"),
        pytest.param(settings.FDLS_CLE_DEVELOPPEMENT, id="cle-de-developpement"),
    ],
)
def test_la_production_refuse_de_demarrer_avec_une_cle_faible(cle):
    resultat = _demarrer(FDLS_ENV="production", DJANGO_SECRET_KEY=cle, DJANGO_ALLOWED_HOSTS="fdls.example.org")
    assert resultat.returncode != 0
    assert "DJANGO_SECRET_KEY" in resultat.stderr


def test_la_production_demarre_avec_une_cle_forte():
    resultat = _demarrer(FDLS_ENV="production", DJANGO_SECRET_KEY=CLE_FORTE, DJANGO_ALLOWED_HOSTS="fdls.example.org")
    assert resultat.returncode == 0, resultat.stderr


@pytest.mark.parametrize("hotes", ["*", "fdls.example.org", "localhost,192.168.1.20"])
def test_sans_fdls_env_debug_et_cle_connue_ne_servent_pas_hors_du_poste(hotes):
    resultat = _demarrer(DJANGO_ALLOWED_HOSTS=hotes)
    assert resultat.returncode != 0
    assert "FDLS_ENV" in resultat.stderr


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({}, id="poste-local"),
        pytest.param({"DJANGO_ALLOWED_HOSTS": "fdls.example.org", "DJANGO_SECRET_KEY": CLE_FORTE}, id="cle-propre"),
        pytest.param({"DJANGO_ALLOWED_HOSTS": "fdls.example.org", "DJANGO_DEBUG": "false"}, id="sans-debug"),
    ],
)
def test_le_poste_de_developpement_demarre(env):
    resultat = _demarrer(**env)
    assert resultat.returncode == 0, resultat.stderr


@pytest.mark.parametrize("adresse", ["192.168.1.20", "10.0.0.7", "2001:db8::1"])
def test_en_developpement_une_requete_venue_d_ailleurs_est_refusee(client, settings, adresse):
    settings.DEBUG = True
    settings.SECRET_KEY = settings.FDLS_CLE_DEVELOPPEMENT
    reponse = client.get("/connexion/", REMOTE_ADDR=adresse)
    assert reponse.status_code == 403
    assert "poste de développement" in reponse.content.decode()
    assert client.get("/connexion/", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/connexion/", REMOTE_ADDR="::1").status_code == 200


@pytest.mark.django_db
def test_les_connexions_de_l_application_ne_compilent_pas_les_requetes():
    """JIT coupé : sa compilation ajoutait jusqu'à 220 ms aux pages de candidats à 1 M de demandes."""
    with connection.cursor() as curseur:
        curseur.execute("SHOW jit")
        assert curseur.fetchone()[0] == "off"
