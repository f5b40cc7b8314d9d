"""Mise en place du PostgreSQL embarqué : la base du projet, créée si elle manque (avant que Django ne démarre).

Accord (la base créée existe et se lit, un second appel ne fait rien) :
tests/socle/test_embedded_sql.py.
"""

from __future__ import annotations

import psycopg
from psycopg import sql


def creer_base_si_absente(*, host: str, nom: str, port: int | None = None, user: str = "postgres") -> bool:
    """Crée la base ``nom`` sur le serveur ``host`` si elle n'existe pas ; rend vrai si elle a été créée."""
    with psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True) as conn:
        existe = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [nom]).fetchone()
        if not existe:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(nom)))
        return not existe
