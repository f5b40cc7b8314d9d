"""Lance FDLS sur un poste : migrations, démo, serveur web, worker et beat Celery.

``python -m fdls.lanceur`` (appelé par ``make run``). Sans ``DATABASE_URL`` ni
``REDIS_URL``, un PostgreSQL et un Valkey embarqués tournent sous ``var/``.
Ctrl-C arrête le web, le worker et le beat ; ``make stop`` arrête aussi les
serveurs embarqués.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
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


def main() -> int:
    os.chdir(BASE_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fdls.settings")
    print("→ Base de données et broker", "(embarqués sous var/)" if not os.environ.get("DATABASE_URL") else "")
    django.setup()
    print("→ Migrations")
    _manage("migrate", "--no-input", "-v", "0")
    print("→ Données de démonstration")
    _manage("demo")

    port = _port_libre(int(os.environ.get("FDLS_PORT", "8000")))
    url = f"http://127.0.0.1:{port}"
    processus = {
        "web": subprocess.Popen([PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}"]),
        "worker": subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "fdls", "worker", "-l", "warning", "--concurrency", "2", "-n", "fdls@%h"]
        ),
        "beat": subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "fdls", "beat", "-l", "warning", "-s", str(BASE_DIR / "var" / "beat")]
        ),
    }

    def arreter(*_):
        for proc in processus.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in processus.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        raise SystemExit(0)

    signal.signal(signal.SIGINT, arreter)
    signal.signal(signal.SIGTERM, arreter)
    if _attendre(f"{url}/healthz"):
        print(_banniere(url), flush=True)
    else:
        print(f"Le serveur web ne répond pas sur {url}/healthz : voir les messages ci-dessus.", file=sys.stderr)
    while True:
        for nom, proc in processus.items():
            if proc.poll() is not None:
                print(f"Le processus {nom} s'est arrêté (code {proc.returncode}) : arrêt de FDLS.", file=sys.stderr)
                arreter()
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
