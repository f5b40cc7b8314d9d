"""Sonde de la base : la plus petite requête qui prouve que PostgreSQL répond.

Accord : tests/socle/test_sante_sql.py (une base qui répond, lue aussi par l'ORM).
"""

from django.db import connection


def ping() -> None:
    """``SELECT 1`` ; lève l'erreur de connexion si la base ne répond pas (borné par ``connect_timeout``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
