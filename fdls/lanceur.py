"""Lance FDLS sur un poste : migrations, démo, serveur web, worker et beat Celery.

``python -m fdls.lanceur`` (appelé par ``make run``). Sans ``DATABASE_URL`` ni
``REDIS_URL``, un PostgreSQL et un Valkey embarqués tournent sous ``var/``.
``FDLS_DEMO_OPTIONS`` passe des options à la commande ``demo`` (``--demandes 200``).
Ctrl-C arrête le web, le worker et le beat ; ``make stop`` arrête aussi les
serveurs embarqués.

Un processus (web, worker ou beat) qui s'arrête est relancé sans toucher aux
autres. S'il s'arrête plus de ``RELANCES_MAX`` fois en ``FENETRE_S`` secondes,
il n'est plus relancé : le lanceur le dit, avec la commande pour le relancer
à la main ; sans le web, FDLS s'arrête.
"""

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import deque
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, check=True)


def _port_libre(port: int) -> int:
    for candidat in range(port, port + 50):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", candidat)) != 0:
                return candidat
    raise SystemExit(f"Aucun port libre entre {port} et {port + 49}.")


def _attendre(url: str, delai: float = 60) -> bool:
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except Exception:
            time.sleep(0.5)
    return False


def _banniere(url: str) -> str:
    # Comptes de démonstration lus par la commande de l'application ``demo`` (que le socle n'importe pas).
    comptes = subprocess.run(
        [PYTHON, "manage.py", "comptes_demo"], cwd=BASE_DIR, check=True, capture_output=True, text=True
    ).stdout.rstrip("\n")
    lignes = [
        "",
        "=" * 72,
        f"  FDLS est prêt : {url}",
        f"  API : {url}/api/v1/  —  documentation : {url}/api/v1/docs/",
        comptes,
    ]
    lignes += [
        f"  {'demandeur@demo.fdls.fr':<30} Demandeur (portail : {url}/portail/connexion/)",
        "",
        "  Ctrl-C pour arrêter (make stop arrête aussi PostgreSQL et Valkey embarqués).",
        "=" * 72,
        "",
    ]
    return "\n".join(lignes)


#: Réglages de la démonstration : jamais DEBUG (sa page anglaise listerait toutes les adresses) ; les pages
#: d'erreur sont celles du site, en français, et WhiteNoise sert les fichiers statiques depuis les sources
#: (``WHITENOISE_USE_FINDERS`` hors production). ``DJANGO_DEBUG=true make run`` le rétablit pour déboguer.
ENVIRONNEMENT_DEMO = {"DJANGO_DEBUG": "false"}


def environnement() -> dict[str, str]:
    """L'environnement des processus de ``make run`` : celui du terminal, DEBUG coupé sauf demande expresse."""
    return {**ENVIRONNEMENT_DEMO, **os.environ}


#: Au-delà de RELANCES_MAX relances d'un même processus en FENETRE_S secondes, il n'est plus relancé.
RELANCES_MAX = 5
FENETRE_S = 60


def commandes(port: int) -> dict[str, list[str]]:
    """Les trois processus de FDLS sur un poste."""
    return {
        "web": [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}"],
        "worker": [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "fdls",
            "worker",
            "-l",
            "warning",
            "--concurrency",
            "2",
            "-n",
            "fdls@%h",
        ],
        "beat": [PYTHON, "-m", "celery", "-A", "fdls", "beat", "-l", "warning", "-s", str(BASE_DIR / "var" / "beat")],
    }


def _dire(message: str) -> None:
    print(f"[lanceur] {message}", file=sys.stderr, flush=True)


class Superviseur:
    """Lance les processus et relance celui qui s'arrête, sans arrêter les autres."""

    def __init__(self, commandes: dict[str, list[str]]):
        self.commandes = commandes
        self.processus: dict[str, subprocess.Popen] = {}
        self.relances: dict[str, deque] = {nom: deque() for nom in commandes}
        self.abandonnes: set[str] = set()

    def _lancer(self, nom: str) -> None:
        self.processus[nom] = subprocess.Popen(self.commandes[nom], cwd=BASE_DIR, env=environnement())

    def demarrer(self) -> None:
        for nom in self.commandes:
            self._lancer(nom)

    def surveiller_une_fois(self) -> bool:
        """Relance les processus arrêtés ; renvoie False si FDLS ne peut plus servir (web abandonné)."""
        maintenant = time.monotonic()
        for nom, proc in list(self.processus.items()):
            if nom in self.abandonnes or proc.poll() is None:
                continue
            relances = self.relances[nom]
            while relances and maintenant - relances[0] > FENETRE_S:
                relances.popleft()
            if len(relances) >= RELANCES_MAX:
                self.abandonnes.add(nom)
                _dire(
                    f"Le processus {nom} s'est arrêté {RELANCES_MAX + 1} fois en moins de {FENETRE_S} s "
                    f"(dernier code {proc.returncode}) : il n'est PLUS relancé. Voyez ses messages ci-dessus, "
                    f"corrigez la cause puis relancez-le dans un autre terminal :\n    cd {BASE_DIR} && "
                    f"{shlex.join(self.commandes[nom])}\n  ou arrêtez tout (Ctrl-C) et relancez make run."
                )
                if nom == "web":
                    return False
                continue
            relances.append(maintenant)
            _dire(
                f"Le processus {nom} s'est arrêté (code {proc.returncode}) : relance "
                f"({len(relances)}/{RELANCES_MAX} en {FENETRE_S} s) ; les autres processus continuent."
            )
            self._lancer(nom)
        return True

    def arreter(self) -> None:
        for proc in self.processus.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processus.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def main() -> int:
    os.chdir(BASE_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fdls.settings")
    os.environ.update(environnement())
    print("→ Base de données et broker", "(embarqués sous var/)" if not os.environ.get("DATABASE_URL") else "")
    django.setup()
    print("→ Migrations")
    _manage("migrate", "--no-input", "-v", "0")
    print("→ Données de démonstration")
    # Options de la commande demo (ex. FDLS_DEMO_OPTIONS="--demandes 200" sur un poste lent).
    _manage("demo", *shlex.split(os.environ.get("FDLS_DEMO_OPTIONS", "")))

    port = _port_libre(int(os.environ.get("FDLS_PORT", "8000")))
    url = f"http://127.0.0.1:{port}"
    superviseur = Superviseur(commandes(port))
    superviseur.demarrer()

    def arreter(*_):
        superviseur.arreter()
        raise SystemExit(0)

    signal.signal(signal.SIGINT, arreter)
    signal.signal(signal.SIGTERM, arreter)
    if _attendre(f"{url}/healthz"):
        print(_banniere(url), flush=True)
    else:
        print(f"Le serveur web ne répond pas sur {url}/healthz : voir les messages ci-dessus.", file=sys.stderr)
    while superviseur.surveiller_une_fois():
        time.sleep(1)
    _dire("Le serveur web ne démarre plus : arrêt de FDLS.")
    superviseur.arreter()
    return 1


if __name__ == "__main__":
    sys.exit(main())
