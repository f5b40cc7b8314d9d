"""Sauvegarde et restauration par les scripts d'exploitation (scripts/sauvegarder.sh, restaurer.sh).

La base de test (données validées : ``transactional_db``) est sauvegardée avec
les clients PostgreSQL 16 fournis par pgserver (compatibles avec le serveur 15
de la machine et le 16 embarqué), puis restaurée dans une base neuve du même
serveur ; les comptes de lignes doivent être égaux.
"""

import importlib.util
import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from fdls.audit.services import journaliser_consultation
from fdls.socle.models import TacheSortante
from tests.fiabilite.serveurs import RACINE, url_postgres
from tests.monde.factories import AgentFactory, GuichetFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _comptes(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [
            ligne[0]
            for ligne in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        return {
            table: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            for table in tables
        }


@pytest.fixture
def base_neuve():
    reglages = connection.settings_dict
    nom = f"{reglages['NAME']}_restauree"
    url_serveur = url_postgres({**reglages, "NAME": "postgres"})
    with psycopg.connect(url_serveur, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(nom)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(nom)))
    try:
        yield url_postgres({**reglages, "NAME": nom})
    finally:
        with psycopg.connect(url_serveur, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(nom)))


def _script(nom: str, *args: str, **env_extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FDLS_") and k != "DATABASE_URL"}
    # Les clients PostgreSQL 16 de pgserver lisent un serveur 15 (machine) comme
    # un 16 (mode embarqué) ; ceux du système (15) refusent un serveur 16.
    # (chemin trouvé sans importer pgserver, dont l'import avertit hors mode embarqué)
    paquet = importlib.util.find_spec("pgserver").submodule_search_locations[0]
    env.setdefault("PG_BIN", str(Path(paquet) / "pginstall" / "bin"))
    env.update(env_extra)
    return subprocess.run(
        [str(RACINE / "scripts" / nom), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_une_sauvegarde_se_restaure_a_l_identique_dans_une_base_neuve(tmp_path, base_neuve):
    agents = AgentFactory.create_batch(3)
    GuichetFactory.create_batch(2)
    for agent in agents:
        journaliser_consultation(user=agent, objet=agent.organisme, action="consultation")
    TacheSortante.objects.create(nom="fdls.socle.tasks.battement")
    source = url_postgres(connection.settings_dict)
    attendus = _comptes(source)
    assert attendus["audit_consultation"] == 3
    assert attendus["django_migrations"] > 0

    sauvegarde = _script("sauvegarder.sh", str(tmp_path), DATABASE_URL=source)
    assert sauvegarde.returncode == 0, sauvegarde.stderr
    fichier = sauvegarde.stdout.strip()
    assert os.path.basename(fichier).startswith("fdls-")
    assert fichier.endswith(".dump")
    assert [p.name for p in tmp_path.iterdir()] == [os.path.basename(fichier)]  # aucun fichier partiel

    restauration = _script("restaurer.sh", fichier, base_neuve)
    assert restauration.returncode == 0, restauration.stderr

    assert _comptes(base_neuve) == attendus
    affiches = dict(ligne.rsplit(" ", 1) for ligne in restauration.stdout.split("\n") if ligne.strip())
    assert {table: int(n) for table, n in affiches.items()} == attendus
    # Le journal restauré reste en ajout seul : le trigger fait partie de la sauvegarde.
    with psycopg.connect(base_neuve) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="ajout seul"):
        conn.execute("DELETE FROM audit_consultation")


def test_la_restauration_refuse_d_ecraser_une_base_qui_a_des_tables(tmp_path):
    source = url_postgres(connection.settings_dict)
    sauvegarde = _script("sauvegarder.sh", str(tmp_path), DATABASE_URL=source)
    assert sauvegarde.returncode == 0, sauvegarde.stderr

    restauration = _script("restaurer.sh", sauvegarde.stdout.strip(), source)

    assert restauration.returncode == 1
    assert "restaurez dans une base neuve" in restauration.stderr


def test_la_sauvegarde_exige_une_base(tmp_path):
    resultat = _script("sauvegarder.sh", str(tmp_path))
    assert resultat.returncode != 0
    assert "DATABASE_URL doit désigner la base" in resultat.stderr
    assert list(tmp_path.iterdir()) == []
