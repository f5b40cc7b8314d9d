"""Purge du journal des consultations par la fonction ``audit_purger_consultations`` (migration 0004).

La fonction, ``SECURITY DEFINER``, appartient au propriétaire des tables : le rôle applicatif n'a ni DELETE
ni UPDATE sur le journal et ne peut supprimer que par elle, seulement des lignes plus anciennes que la
rétention, elle-même de 180 jours au moins. Accord (les lignes supprimées par la fonction sont celles que
l'ORM trouve au-delà de la rétention, et l'ORM ne les relit plus) : tests/audit/test_purge_sql.py.
"""

from django.db import connection


def purger_lot(*, jours: int, taille_lot: int) -> int:
    """Supprime au plus ``taille_lot`` lignes de plus de ``jours`` jours ; renvoie le nombre supprimé."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_purger_consultations(%s, %s)", [jours, taille_lot])
        return cursor.fetchone()[0]
