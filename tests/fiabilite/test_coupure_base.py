"""Exercice : la base tombe sous un serveur web qui tourne, dans chaque mode.

- ``make run`` : ``manage.py runserver`` sans ``DEBUG`` (réglages ``dev``, ``fdls.lanceur.ENVIRONNEMENT_DEMO``) ;
- production : gunicorn, ``DEBUG`` désactivé.

Pendant la coupure, une page d'agent connecté (la session est lue en base par
un middleware, avant la vue), l'API (jeton lu en base) et ``/healthz``
répondent 503 en français avec ``Retry-After`` — jamais la page de débogage
anglaise de Django ni une 500. Des centaines de requêtes refusées n'écrivent
qu'une ligne de journal par processus au début de la coupure et une à sa fin,
sans trace d'appels.
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from fdls import lanceur
from tests.fiabilite.serveurs import RACINE, PostgresPrive, attendre, lire, port_libre, port_ouvert

PHRASE_503 = "Le service est momentanément indisponible"
COOKIE_SESSION = {"Cookie": "sessionid=0123456789abcdefghijklmnopqrstuv"}
JETON = {"Authorization": "Token jeton-inexistant"}
REQUETES_PENDANT_LA_COUPURE = 60  # × 3 chemins


def _get(port: int, chemin: str, entetes: dict | None = None):
    requete = urllib.request.Request(f"http://127.0.0.1:{port}{chemin}", headers=entetes or {})
    try:
        with urllib.request.urlopen(requete, timeout=15) as reponse:
            return reponse.status, reponse.headers, reponse.read().decode()
    except urllib.error.HTTPError as erreur:
        return erreur.code, erreur.headers, erreur.read().decode()


@pytest.fixture(scope="module")
def base_migree():
    pg = PostgresPrive()
    try:
        pg.initialiser()
        pg.demarrer()
        url = pg.creer_base("fdls")
        env = {**os.environ, "DATABASE_URL": url, "FDLS_ENV": "test", "DJANGO_DEBUG": "false"}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=RACINE,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        yield pg, url
    finally:
        pg.nettoyer()


MODES = {
    # Ce que lance ``make run`` (fdls/lanceur.py) : runserver, réglages de développement, sans DEBUG.
    "make-run": (["manage.py", "runserver", "--noreload", "127.0.0.1:{port}"], {"FDLS_ENV": "dev"}, 1),
    "gunicorn": (
        ["-m", "gunicorn", "fdls.wsgi", "--bind", "127.0.0.1:{port}", "--workers", "2", "--preload"]
        + ["--timeout", "30", "--no-control-socket"],
        {"FDLS_ENV": "test", "DJANGO_DEBUG": "false"},
        2,
    ),
}


@pytest.mark.exercice
@pytest.mark.parametrize("mode", list(MODES))
def test_coupure_de_la_base_503_francaise_et_journal_sobre(base_migree, mode):
    pg, url = base_migree
    arguments, env_mode, processus_web = MODES[mode]
    port = port_libre()
    commande = [sys.executable] + [a.format(port=port) for a in arguments]
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": settings.REDIS_URL, **env_mode}
    if mode == "make-run":
        env.pop("DJANGO_DEBUG", None)
        env.update(lanceur.ENVIRONNEMENT_DEMO)  # comme make run
    web = None
    with tempfile.NamedTemporaryFile("w+") as journal, tempfile.TemporaryDirectory() as statiques:
        env["FDLS_STATIC_ROOT"] = statiques
        try:
            web = subprocess.Popen(commande, cwd=RACINE, env=env, stdout=journal, stderr=subprocess.STDOUT)
            attendre(lambda: port_ouvert(port) or web.poll() is not None, delai=60)
            assert web.poll() is None, lire(journal)
            for _ in range(2 * processus_web):
                assert _get(port, "/connexion/", COOKIE_SESSION)[0] == 200
            assert _get(port, "/healthz")[0] == 200

            pg.arreter()
            journal.flush()
            debut_journal = os.path.getsize(journal.name)
            for _ in range(REQUETES_PENDANT_LA_COUPURE):
                statut, entetes, corps = _get(port, "/connexion/", COOKIE_SESSION)
                assert statut == 503, corps[:800]
                assert entetes["Content-Type"].startswith("text/html")
                assert PHRASE_503 in corps
                assert 'lang="fr"' in corps
                assert entetes["Retry-After"] == "5"

                statut, entetes, corps = _get(port, "/api/v1/moi/", JETON)
                assert statut == 503, corps[:800]
                assert entetes["Content-Type"] == "application/json"
                assert '"code": "service_indisponible"' in corps
                assert entetes["Retry-After"] == "5"

                statut, entetes, corps = _get(port, "/healthz")
                assert statut == 503, corps[:800]
                assert '"base": {"ok": false' in corps
                assert entetes["Retry-After"] == "5"
            time.sleep(0.5)
            journal.flush()
            with open(journal.name) as lecture:
                lecture.seek(debut_journal)
                pendant = lecture.read()

            pg.demarrer()
            attendre(lambda: _get(port, "/connexion/", COOKIE_SESSION)[0] == 200, delai=20, pas=0.1)
            for _ in range(2 * processus_web):
                assert _get(port, "/connexion/", COOKIE_SESSION)[0] == 200
            time.sleep(0.5)
            journal.flush()
            with open(journal.name) as lecture:
                lecture.seek(debut_journal)
                tout = lecture.read()
        finally:
            if web is not None and web.poll() is None:
                web.terminate()
                try:
                    web.wait(10)
                except subprocess.TimeoutExpired:
                    web.kill()
                    web.wait(5)

    lignes = pendant.splitlines()
    print(f"\n{mode} : {3 * REQUETES_PENDANT_LA_COUPURE} requêtes refusées, {len(lignes)} ligne(s) de journal")
    assert "Traceback" not in pendant
    # Une ligne par processus web au début de la coupure, rien par requête refusée.
    assert 1 <= len(lignes) <= processus_web, pendant[-3000:]
    assert all("Base de données indisponible" in ligne for ligne in lignes), pendant[-3000:]
    # Puis une ligne par processus à son retour, avec la durée et le nombre de requêtes refusées.
    assert "Base de données de nouveau disponible" in tout, tout[-3000:]
