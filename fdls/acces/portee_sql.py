"""Portée nominative d'un organisme en une requête : départements entiers, communes isolées, EPCI entiers, guichets
(hors des départements entiers, puis tous : ceux dont l'organisme voit les brouillons).

Accord avec l'ORM (mêmes ensembles calculés depuis ``Organisme.perimetre``,
``Commune`` et ``Guichet``) : tests/acces/test_portee_sql.py.
"""

from __future__ import annotations

from django.db import connection

_SQL_PORTEE = """
WITH perimetre AS (
    SELECT c.code_insee, c.departement_id, c.epci_id
      FROM organismes_organisme_perimetre p
      JOIN territoires_commune c ON c.code_insee = p.commune_id
     WHERE p.organisme_id = %(organisme)s
), departements AS (
    SELECT pe.departement_id
      FROM perimetre pe
     GROUP BY pe.departement_id
    HAVING count(*) = (SELECT count(*) FROM territoires_commune t
                        WHERE t.departement_id = pe.departement_id)
), isolees AS (
    SELECT * FROM perimetre WHERE departement_id NOT IN (SELECT departement_id FROM departements)
), epcis AS (
    SELECT i.epci_id
      FROM isolees i
     WHERE i.epci_id IS NOT NULL
     GROUP BY i.epci_id
    HAVING count(*) = (SELECT count(*) FROM territoires_commune t WHERE t.epci_id = i.epci_id)
)
SELECT ARRAY(SELECT departement_id FROM departements ORDER BY 1),
       ARRAY(SELECT code_insee FROM isolees ORDER BY 1),
       ARRAY(SELECT epci_id FROM epcis ORDER BY 1),
       ARRAY(SELECT code_insee FROM isolees WHERE epci_id IN (SELECT epci_id FROM epcis) ORDER BY 1),
       ARRAY(SELECT g.id
               FROM organismes_guichet g
               JOIN territoires_commune c ON c.code_insee = g.commune_id
              WHERE g.organisme_id = %(organisme)s
                AND c.departement_id NOT IN (SELECT departement_id FROM departements)
              ORDER BY 1),
       ARRAY(SELECT g.id FROM organismes_guichet g WHERE g.organisme_id = %(organisme)s ORDER BY 1)
"""


def lire_portee(organisme_id: int) -> tuple[tuple, tuple, tuple, tuple, tuple, tuple]:
    """(départements entièrement couverts, communes isolées hors de ces départements, EPCI entièrement couverts
    parmi elles, communes de ces EPCI, guichets propres hors de ces départements, tous les guichets propres),
    chacun trié."""
    with connection.cursor() as cursor:
        cursor.execute(_SQL_PORTEE, {"organisme": organisme_id})
        return tuple(tuple(valeurs) for valeurs in cursor.fetchone())
