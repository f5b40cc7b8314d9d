"""Lectures de l'attente estimée : une table temporaire des demandes closes ou actives, agrégée par groupe.

``table_des_demandes`` prépare, dans une transaction, la table ``tmp_attente``
(une ligne par demande : état, dépôt, fin, commune du premier choix, son EPCI,
plus petite typologie) ; ses méthodes en tirent les durées d'attente
agrégées (Kaplan–Meier), les attributions observées, les couples commune ×
typologie et la cohorte du back-test. ``remplacer_attentes`` réécrit
``AttenteEstimee`` d'un coup. Accord avec l'ORM : tests/cotation/transparence/test_attentes_sql.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.db import connection, transaction

from fdls.socle.dates import ajouter_mois

_SQL_PREPARER = """
CREATE TEMP TABLE tmp_attente ON COMMIT DROP AS
SELECT d.id, d.etat, d.date_depot AS depot, d.date_fin AS fin, l.commune_id AS commune, c.epci_id AS epci,
       coalesce((SELECT t FROM unnest(d.typologies) t WHERE array_position(%(ordre)s::text[], t) IS NOT NULL
                 ORDER BY array_position(%(ordre)s::text[], t) LIMIT 1), '') AS typologie
FROM demandes_demande d
CROSS JOIN LATERAL (SELECT commune_id FROM demandes_localisationsouhaitee WHERE demande_id = d.id
                    ORDER BY rang LIMIT 1) l
JOIN territoires_commune c ON c.code_insee = l.commune_id
WHERE d.date_depot IS NOT NULL
  AND (d.etat = 'active' OR (d.etat IN ('satisfaite', 'annulee') AND d.date_fin IS NOT NULL))
  AND (%(tout)s OR d.etat = 'active' OR d.date_depot >= %(debut)s OR d.date_fin > %(debut)s
       OR (d.etat = 'satisfaite' AND d.date_fin > %(debut_observe)s))
"""

# État au ``le`` des demandes déposées avant ``depot_max`` et encore en attente à ``debut`` : satisfaite avant ``le``
# = événement à sa date de fin ; annulée avant ``le`` = censurée à sa date de fin ; sinon (active, ou close après
# ``le``) censurée à ``le``. Sans troncature : seulement celles déposées depuis ``debut`` (cohorte) ; avec : aussi
# celles déposées avant et encore en attente à ``debut``, qui n'entrent dans le calcul qu'à l'attente qu'elles
# avaient alors (``entree``, troncature à gauche).
_SQL_SURVIE = """
SELECT commune, epci, typologie, greatest(%(debut)s - depot, 0) AS entree,
       CASE WHEN etat <> 'active' AND fin <= %(le)s THEN fin - depot ELSE %(le)s - depot END AS jours,
       (etat = 'satisfaite' AND fin <= %(le)s) AS evenement, count(*)
FROM tmp_attente
WHERE depot <= %(depot_max)s AND (depot >= %(debut)s OR (%(troncature)s AND (etat = 'active' OR fin > %(debut)s)))
GROUP BY 1, 2, 3, 4, 5, 6
"""

_SQL_OBSERVE = """
SELECT commune, typologie,
       count(*) FILTER (WHERE fin > %(debut12)s), avg(fin - depot) FILTER (WHERE fin > %(debut12)s),
       count(*), avg(fin - depot)
FROM tmp_attente
WHERE etat = 'satisfaite' AND fin <= %(le)s AND fin > %(debut36)s AND typologie <> ''
GROUP BY 1, 2
"""


_SQL_COHORTE = """
SELECT commune, epci, typologie, depot, etat, fin FROM tmp_attente
WHERE depot <= %(coupure)s AND (etat = 'active' OR fin > %(coupure)s)
"""


_SQL_ECRIRE = """
INSERT INTO cotation_attenteestimee
    (commune_id, typologie, niveau, mediane_mois, bas_mois, haut_mois, suivi_mois, effectif, annees,
     moyenne_observee_mois, attributions, periode_observee_mois, calcule_le)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
"""


class TableDemandes:
    """Lectures de ``tmp_attente`` (dans la transaction de ``table_des_demandes``)."""

    def __init__(self, cur):
        self._cur = cur

    def _lire(self, sql: str, parametres: dict | None = None) -> list[tuple]:
        self._cur.execute(sql, parametres)
        return self._cur.fetchall()

    def survie(self, *, le: date, debut: date, depot_max: date, troncature: bool) -> list[tuple]:
        """(commune, epci, typologie, entrée, jours, événement, nombre) des demandes déposées avant ``depot_max``,
        depuis ``debut`` ou — ``troncature`` — encore en attente à ``debut``, dans leur état à ``le``."""
        return self._lire(_SQL_SURVIE, {"le": le, "debut": debut, "depot_max": depot_max, "troncature": troncature})

    def observe(self, *, le: date, debut12: date, debut36: date) -> list[tuple]:
        """(commune, typologie, attributions et délai moyen en jours depuis ``debut12``, puis depuis ``debut36``)."""
        return self._lire(_SQL_OBSERVE, {"le": le, "debut12": debut12, "debut36": debut36})

    def couples(self) -> list[tuple]:
        """(commune, epci, typologie) distincts, typologie connue."""
        return self._lire("SELECT DISTINCT commune, epci, typologie FROM tmp_attente WHERE typologie <> ''")

    def cohorte(self, *, coupure: date) -> list[tuple]:
        """(commune, epci, typologie, dépôt, état, fin) des demandes déposées avant ``coupure`` et encore en attente."""
        return self._lire(_SQL_COHORTE, {"coupure": coupure})


@contextmanager
def table_des_demandes(
    *, le: date, annees: int, ordre_typologies: list[str], tout: bool = False
) -> Iterator[TableDemandes]:
    """Prépare ``tmp_attente`` dans une transaction (les demandes utiles à une fenêtre de ``annees`` ans avant
    ``le`` ; ``tout`` : toutes) et la rend lisible ; elle disparaît à la fin du bloc."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS tmp_attente")
        cur.execute(
            _SQL_PREPARER,
            {
                "ordre": ordre_typologies,
                "tout": tout,
                "debut": ajouter_mois(le, -12 * annees),
                "debut_observe": ajouter_mois(le, -36),
            },
        )
        cur.execute("ANALYZE tmp_attente")
        yield TableDemandes(cur)
        cur.execute("DROP TABLE IF EXISTS tmp_attente")


def remplacer_attentes(lignes: list[tuple]) -> None:
    """Remplace le contenu de ``AttenteEstimee`` (tuples dans l'ordre des colonnes de ``_SQL_ECRIRE``)."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM cotation_attenteestimee")
        cur.executemany(_SQL_ECRIRE, lignes)
