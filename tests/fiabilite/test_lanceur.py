"""Exercice : le worker lancé par ``make run`` (fdls/lanceur.py) meurt.

Le vrai lanceur tourne (migrations, démo, runserver, worker, beat) sur la base
de test et un Valkey propre au test. Le worker est tué (SIGKILL) : le lanceur
le relance, le web et beat continuent sans redémarrer. Un processus qui meurt
sans cesse n'est plus relancé et le lanceur dit comment le relancer.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from fdls import lanceur
from tests.fiabilite.serveurs import RACINE, attendre, lire, port_libre, url_postgres

pytestmark = pytest.mark.django_db(transaction=True)


def _enfants(pid: int) -> dict[str, int]:
    """Processus enfants directs du lanceur, par rôle (web, worker, beat)."""
    roles = {}
    for enfant in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        with open(f"/proc/{enfant}/cmdline", "rb") as fichier:
            commande = fichier.read().split(b"\0")
        for role, marque in (("web", b"runserver"), ("worker", b"worker"), ("beat", b"beat")):
            if marque in commande:
                roles[role] = int(enfant)
    return roles


def _statut(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as reponse:
            return reponse.status
    except urllib.error.HTTPError as erreur:
        return erreur.code
    except OSError:
        return 0


@pytest.mark.exercice
def test_le_lanceur_relance_le_worker_mort_sans_arreter_le_web(broker_prive):
    port = port_libre()
    env = {
        **os.environ,
        "DATABASE_URL": url_postgres(connection.settings_dict),
        "REDIS_URL": broker_prive.url,
        "FDLS_PORT": str(port),
        "FDLS_ENV": "dev",
        "FDLS_DEMO_OPTIONS": "--demandes 30 --demandes-en-ligne 3 --logements 30",
    }
    env.pop("DJANGO_DEBUG", None)
    with tempfile.TemporaryFile("w+") as journal:
        processus = subprocess.Popen(
            [sys.executable, "-m", "fdls.lanceur"], cwd=RACINE, env=env, stdout=journal, stderr=subprocess.STDOUT
        )
        try:

            def pret():
                if processus.poll() is not None:
                    return True
                roles = _enfants(processus.pid)
                return len(roles) == 3 and _statut(f"http://127.0.0.1:{port}/connexion/") == 200

            # Migrations, démo réduite, puis les trois processus (lents à démarrer sur une machine chargée).
            attendre(pret, delai=600, pas=1)
            assert processus.poll() is None, lire(journal)
            avant = _enfants(processus.pid)

            os.kill(avant["worker"], signal.SIGKILL)
            tue = time.monotonic()

            def worker_relance():
                roles = _enfants(processus.pid)
                return roles if roles.get("worker", avant["worker"]) != avant["worker"] else None

            apres = attendre(worker_relance, delai=30, pas=0.2)
            print(f"\nworker tué → nouveau worker lancé en {time.monotonic() - tue:.1f} s")
            assert processus.poll() is None, lire(journal)
            assert apres["web"] == avant["web"]  # le web n'a pas été redémarré
            assert apres["beat"] == avant["beat"]
            assert _statut(f"http://127.0.0.1:{port}/connexion/") == 200
            assert "Le processus worker s'est arrêté (code -9) : relance" in lire(journal)
            time.sleep(3)  # le nouveau worker tient
            assert _enfants(processus.pid).get("worker") == apres["worker"]
        finally:
            if processus.poll() is None:
                processus.send_signal(signal.SIGINT)  # comme Ctrl-C
                try:
                    processus.wait(30)
                except subprocess.TimeoutExpired:
                    processus.kill()
                    processus.wait(5)


def test_un_processus_qui_meurt_sans_cesse_n_est_plus_relance_et_le_lanceur_le_dit(capsys, monkeypatch):
    monkeypatch.setattr(lanceur, "FENETRE_S", 60)
    superviseur = lanceur.Superviseur({"worker": [sys.executable, "-c", "raise SystemExit(3)"]})
    superviseur.demarrer()
    try:
        for _ in range(lanceur.RELANCES_MAX + 1):
            superviseur.processus["worker"].wait(10)
            assert superviseur.surveiller_une_fois() is True
    finally:
        superviseur.arreter()

    assert superviseur.abandonnes == {"worker"}
    messages = capsys.readouterr().err
    assert messages.count("relance (") == lanceur.RELANCES_MAX
    assert "il n'est PLUS relancé" in messages
    assert "raise SystemExit(3)" in messages  # la commande pour le relancer à la main
