"""Accord de ``embedded_sql`` (mise en place du PostgreSQL embarqué), essayé sur le serveur des tests : la base
créée existe et s'ouvre ; un second appel ne recrée rien."""

import uuid

import psycopg
import pytest
from django.db import connection

from fdls import embedded_sql


@pytest.fixture
def serveur():
    reglages = connection.settings_dict
    nom = f"{reglages['TEST']['NAME']}_embarquee_{uuid.uuid4().hex[:8]}"
    acces = {"host": reglages["HOST"] or None, "port": reglages["PORT"] or None, "user": reglages["USER"]}
    yield acces, nom
    with psycopg.connect(dbname="postgres", autocommit=True, password=reglages["PASSWORD"] or None, **acces) as conn:
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {}").format(psycopg.sql.Identifier(nom)))


def test_la_base_est_creee_une_fois_et_s_ouvre(serveur):
    acces, nom = serveur
    assert embedded_sql.creer_base_si_absente(nom=nom, **acces) is True
    assert embedded_sql.creer_base_si_absente(nom=nom, **acces) is False
    with connection.cursor() as cur:  # la base créée est au catalogue du serveur, lu par la connexion de Django
        cur.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [nom])
        assert cur.fetchone() == (1,)
    with psycopg.connect(dbname=nom, **acces) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (nom,)
