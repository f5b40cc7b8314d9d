"""Identifiants des demandes à coter, par paquets dans l'ordre de la clé (parcours d'index, pas d'OFFSET).

Chaque flux est une requête d'identifiants ``> %(dernier)s ORDER BY … LIMIT
%(taille)s`` reprise au dernier identifiant rendu : mémoire constante, reprise
possible. Accord avec l'ORM : tests/cotation/calcul/test_paquets_sql.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from django.db import connection

_SQL_ACTIVES = "SELECT id FROM demandes_demande WHERE etat = 'active' AND id > %(dernier)s ORDER BY id LIMIT %(taille)s"
_SQL_JAMAIS_COTEES = (
    "SELECT d.id FROM demandes_demande d WHERE d.etat = 'active' AND d.id > %(dernier)s AND NOT EXISTS "
    "(SELECT 1 FROM cotation_resultatcotation r WHERE r.demande_id = d.id) ORDER BY d.id LIMIT %(taille)s"
)
_SQL_ECHUES = (
    "SELECT DISTINCT r.demande_id FROM cotation_resultatcotation r JOIN demandes_demande d ON d.id = r.demande_id "
    "WHERE r.prochaine_echeance <= %(le)s AND d.etat = 'active' AND r.demande_id > %(dernier)s "
    "ORDER BY r.demande_id LIMIT %(taille)s"
)
_SQL_EVENEMENTS_RECENTS = (
    "SELECT DISTINCT e.demande_id FROM demandes_evenement e JOIN demandes_demande d ON d.id = e.demande_id "
    "WHERE e.date >= %(depuis)s AND e.type = ANY(%(types)s) AND d.etat = 'active' AND e.demande_id > %(dernier)s "
    "ORDER BY e.demande_id LIMIT %(taille)s"
)
_SQL_DU_TERRITOIRE = """
SELECT d.id FROM demandes_demande d
WHERE d.etat = 'active' AND d.id > %(dernier)s
  AND EXISTS (SELECT 1 FROM demandes_localisationsouhaitee l JOIN territoires_commune c ON c.code_insee = l.commune_id
              WHERE l.demande_id = d.id AND c.epci_id = %(epci)s)
ORDER BY d.id LIMIT %(taille)s
"""


def par_cle(sql: str, parametres: dict, taille: int, depuis: int = 0) -> Iterator[list[int]]:
    """Identifiants rendus par ``sql`` par paquets de ``taille``, dans l'ordre de la clé (pas d'OFFSET).

    ``sql`` : une requête d'identifiants avec ``> %(dernier)s``, ``ORDER BY`` la clé et ``LIMIT %(taille)s``.
    """
    dernier = depuis
    while True:
        with connection.cursor() as cur:
            cur.execute(sql, {**parametres, "dernier": dernier, "taille": taille})
            ids = [row[0] for row in cur.fetchall()]
        if not ids:
            return
        yield ids
        dernier = ids[-1]


def actives(taille: int, depuis: int = 0) -> Iterator[list[int]]:
    """Demandes actives."""
    return par_cle(_SQL_ACTIVES, {}, taille, depuis)


def jamais_cotees(taille: int) -> Iterator[list[int]]:
    """Demandes actives sans résultat de cotation."""
    return par_cle(_SQL_JAMAIS_COTEES, {}, taille)


def echues(le: date, taille: int) -> Iterator[list[int]]:
    """Demandes actives dont la prochaine échéance (point limité dans le temps, bande d'ancienneté) d'un de leurs
    résultats est atteinte (chacune une fois)."""
    return par_cle(_SQL_ECHUES, {"le": le}, taille)


def evenements_recents(depuis: datetime, types: list[str], taille: int) -> Iterator[list[int]]:
    """Demandes actives dont un événement de type ``types`` est daté de ``depuis`` ou après."""
    return par_cle(_SQL_EVENEMENTS_RECENTS, {"depuis": depuis, "types": types}, taille)


def du_territoire(epci: str, taille: int) -> Iterator[list[int]]:
    """Demandes actives dont un choix de commune est dans l'EPCI ``epci`` (toutes celles que sa grille cote)."""
    return par_cle(_SQL_DU_TERRITOIRE, {"epci": epci}, taille)


def bornes_actives() -> tuple[int, int]:
    """Plus petit et plus grand identifiant des demandes actives (0, 0 s'il n'y en a pas)."""
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM demandes_demande WHERE etat = 'active'")
        return cur.fetchone()
