"""SQL de la fusion : report des suspicions à traiter de la demande absorbée sur la demande gardée.

Une instruction ``INSERT … SELECT … ON CONFLICT DO NOTHING`` : chaque paire
(absorbée, autre) à traiter devient (gardée, autre), ordonnée, sauf si la
paire (gardée, autre) existe déjà, quel que soit son statut. Test d'accord :
``tests/demandes/doublons/test_fusion_sql.py`` (paires reportées comparées à
celles que l'ORM déduit des suspicions d'avant la fusion).
"""

from django.db import connection

SQL_REPORT = """
INSERT INTO demandes_suspiciondoublon
       (demande_a_id, demande_b_id, score, motif, source, statut, detectee_le)
SELECT least(%(g)s, autre), greatest(%(g)s, autre), score, motif, source, 'a_traiter', detectee_le
  FROM (SELECT CASE WHEN demande_a_id = %(x)s THEN demande_b_id ELSE demande_a_id END AS autre,
               score, motif, source, detectee_le
          FROM demandes_suspiciondoublon
         WHERE statut = 'a_traiter' AND (demande_a_id = %(x)s OR demande_b_id = %(x)s)) s
 WHERE autre <> %(g)s
ON CONFLICT (demande_a_id, demande_b_id) DO NOTHING
"""


def reporter_suspicions(*, absorbee: int, gardee: int) -> int:
    """Copie sur la demande ``gardee`` les suspicions à traiter de la demande ``absorbee`` ; rend le nombre écrit."""
    with connection.cursor() as cursor:
        cursor.execute(SQL_REPORT, {"g": gardee, "x": absorbee})
        return cursor.rowcount
