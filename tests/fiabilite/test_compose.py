"""docker-compose.yml et Dockerfile : Docker ne tourne pas ici, on vérifie ce que l'exploitant suppose.

- le fichier est un YAML valide et décrit les cinq services attendus ;
- chaque variable d'environnement passée à l'application est lue par les
  réglages (une faute de frappe serait ignorée en silence) ;
- chaque variable ``${...}`` à fournir est documentée dans docs/exploitation.md.
"""

import re

import pytest
import yaml

from tests.fiabilite.serveurs import RACINE

SERVICES_APPLICATION = ("web", "worker", "beat")
# Variables lues hors de fdls/settings.py : par gunicorn, par la commande du web, par les images officielles.
HORS_REGLAGES = {"DATABASE_URL_PROPRIETAIRE", "GUNICORN_WORKERS", "FORWARDED_ALLOW_IPS"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((RACINE / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def texte_compose():
    return (RACINE / "docker-compose.yml").read_text()


def test_les_services_de_production(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat", "pgbackrest", "sauvegarde"}
    # PostgreSQL 16 officiel + pgBackRest, construit à partir de docker/postgres.
    assert services["postgres"]["build"] == "docker/postgres"
    dockerfile = (RACINE / "docker" / "postgres" / "Dockerfile").read_text()
    assert re.search(r"^FROM postgres:16$", dockerfile, re.MULTILINE)
    assert "apt-get install -y --no-install-recommends pgbackrest" in dockerfile
    assert services["pgbackrest"]["image"] == services["postgres"]["image"]
    assert services["redis"]["image"] == "redis:7"
    for nom in SERVICES_APPLICATION:
        assert services[nom]["environment"]["FDLS_ENV"] == "production"
        assert services[nom]["restart"] == "unless-stopped"
    assert services["sauvegarde"]["profiles"] == ["outils"]  # lancé à la demande, jamais par « up »


def test_le_web_migre_collecte_puis_sert_avec_gunicorn(compose):
    commande = " ".join(compose["services"]["web"]["command"])
    assert commande.index("migrate") < commande.index("collectstatic") < commande.index("gunicorn fdls.wsgi")
    # Les identifiants du propriétaire servent à migrate et ne restent pas dans l'environnement de gunicorn.
    assert "unset DATABASE_URL_PROPRIETAIRE" in commande
    assert compose["services"]["web"]["environment"]["DATABASE_URL"].startswith("postgres://fdls_app:")


def test_worker_et_beat(compose):
    assert compose["services"]["worker"]["command"] == ["celery", "-A", "fdls", "worker", "-l", "info"]
    beat = compose["services"]["beat"]
    assert beat["command"] == [
        "celery",
        "-A",
        "fdls",
        "beat",
        "-l",
        "info",
        "--schedule",
        "/var/lib/fdls/celerybeat-schedule",
    ]
    assert "beat:/var/lib/fdls" in beat["volumes"]  # l'état de beat survit à la recréation du conteneur
    for nom in ("worker", "beat"):
        assert compose["services"][nom]["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_sondes_de_sante(compose):
    services = compose["services"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "ping" in " ".join(services["redis"]["healthcheck"]["test"])
    for dependance in ("postgres", "redis"):
        assert services["web"]["depends_on"][dependance] == {"condition": "service_healthy"}


def test_donnees_persistantes_et_archivage_wal(compose):
    assert set(compose["volumes"]) >= {"postgres", "depot", "socket", "redis", "prive", "beat"}
    assert "wal" not in compose["volumes"]  # plus d'archives sur le disque de la base
    postgres = compose["services"]["postgres"]
    assert "postgres:/var/lib/postgresql/data" in postgres["volumes"]
    commande = " ".join(postgres["command"])
    assert "archive_mode=on" in commande
    assert "archive_timeout=60" in commande  # RPO ≤ 5 min avec marge (exercice : test_archivage_wal.py)
    assert "archive_command=pgbackrest --stanza=fdls archive-push %p" in commande
    # Le dépôt pgBackRest est un autre volume, à monter sur un autre disque (FDLS_DEPOT_SAUVEGARDES).
    depot = "${FDLS_DEPOT_SAUVEGARDES:-depot}:/var/lib/pgbackrest"
    assert depot in postgres["volumes"]
    assert postgres["environment"]["PGBACKREST_REPO1_PATH"] == "/var/lib/pgbackrest"
    assert postgres["environment"]["PGBACKREST_STANZA"] == "fdls"
    assert "--appendonly" in compose["services"]["redis"]["command"]


def test_sauvegardes_de_base_planifiees_avec_retention(compose):
    service = compose["services"]["pgbackrest"]
    assert service["entrypoint"] == ["/scripts/planifier-sauvegardes.sh"]
    assert service["restart"] == "unless-stopped"
    assert service["user"] == "postgres"
    # Mêmes données, même socket, même dépôt que le serveur.
    for volume in ("postgres:/var/lib/postgresql/data", "socket:/var/run/postgresql"):
        assert volume in service["volumes"]
        assert volume in compose["services"]["postgres"]["volumes"]
    assert "${FDLS_DEPOT_SAUVEGARDES:-depot}:/var/lib/pgbackrest" in service["volumes"]
    assert service["environment"]["PGBACKREST_REPO1_RETENTION_FULL"] == "${FDLS_SAUVEGARDE_COMPLETES:-2}"
    script = (RACINE / "scripts" / "planifier-sauvegardes.sh").read_text()
    for commande in ("pgbackrest stanza-create", "pgbackrest check", 'pgbackrest backup --type="$type"'):
        assert commande in script


def test_chaque_variable_passee_a_l_application_est_lue_par_les_reglages(compose):
    reglages = (RACINE / "fdls" / "settings.py").read_text()
    for nom in SERVICES_APPLICATION:
        for variable in compose["services"][nom]["environment"]:
            if variable in HORS_REGLAGES:
                continue
            assert f'"{variable}"' in reglages, f"{nom} : {variable} n'est lue nulle part dans fdls/settings.py"


def test_chaque_variable_a_fournir_est_documentee(texte_compose):
    documentation = (RACINE / "docs" / "exploitation.md").read_text()
    variables = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", texte_compose))
    assert {"DJANGO_SECRET_KEY", "POSTGRES_PASSWORD", "FDLS_APP_DB_PASSWORD", "FDLS_DOMAINE"} <= variables
    manquantes = sorted(v for v in variables if f"`{v}`" not in documentation)
    assert not manquantes, f"variables de docker-compose.yml absentes de docs/exploitation.md : {manquantes}"


def test_l_image_installe_les_dependances_verrouillees_sans_les_outils_de_dev():
    dockerfile = (RACINE / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.12-slim$", dockerfile, re.MULTILINE)
    assert "uv sync --frozen --no-dev" in dockerfile
    assert re.search(r"^USER fdls$", dockerfile, re.MULTILINE)  # pas root à l'exécution


def test_ni_secrets_ni_donnees_locales_dans_l_image():
    ignores = (RACINE / ".dockerignore").read_text().split()
    for chemin in (".env", ".venv", "var", ".git"):
        assert chemin in ignores
