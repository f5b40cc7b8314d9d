"""Index suspendus pendant un chargement en masse, puis reconstruits (la pratique de ``pg_restore``).

Chaque index retiré est noté dans ``IndexSuspendu`` avec sa définition avant
d'être supprimé ; il n'en est rayé qu'une fois reconstruit : un chargement
interrompu laisse ses définitions, le lancement suivant les reconstruit d'abord.

Accord avec l'ORM : tests/demo/test_generateur_massif.py (index reconstruits identiques à ceux des migrations,
rien en suspens).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction

from demo.models import IndexSuspendu

_SQL_INDEX_SECONDAIRES = """
SELECT i.indexrelid::regclass::text, t.relname,
       CASE WHEN c.oid IS NULL THEN pg_get_indexdef(i.indexrelid)
            ELSE format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', t.relname, c.conname,
                        pg_get_constraintdef(c.oid)) END,
       c.conname
  FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
  LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'u'
 WHERE t.relname = ANY(%s) AND NOT i.indisprimary
   AND NOT EXISTS (SELECT 1 FROM pg_constraint p WHERE p.conindid = i.indexrelid AND p.contype <> 'u')
   AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
"""


def suspendre_index(tables: list[str]) -> int:
    """Retire les index secondaires des ``tables`` (et les contraintes d'unicité que nulle clé
    étrangère ne vise : numéro unique, référence, clé de recherche…), après avoir noté leur définition."""
    with transaction.atomic(), connection.cursor() as curseur:
        curseur.execute(_SQL_INDEX_SECONDAIRES, [tables])
        index = curseur.fetchall()
        IndexSuspendu.objects.bulk_create(
            [IndexSuspendu(nom=nom, table=table, definition=definition) for nom, table, definition, _c in index]
        )
        for nom, table, _definition, contrainte in index:
            if contrainte:
                curseur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{contrainte}"')
            else:
                curseur.execute(f'DROP INDEX "{nom}"')
    return len(index)


def _construire(index: IndexSuspendu, connexion_propre: bool, journal) -> None:
    debut = time.perf_counter()
    try:
        with connection.cursor() as curseur:
            curseur.execute("SET maintenance_work_mem = '1GB'")
            curseur.execute("SELECT to_regclass(%s) IS NULL", [index.nom])
            if curseur.fetchone()[0]:
                curseur.execute(index.definition)
            curseur.execute("RESET maintenance_work_mem")
        index.delete()
    finally:
        if connexion_propre:
            connection.close()  # connexion propre au fil
    if journal:
        journal(f"    {index.nom} ({time.perf_counter() - debut:.1f} s)")


def restaurer_index(connexions: int = 1, journal=None) -> int:
    """Reconstruit les index retirés par un chargement en masse (interrompu ou terminé) ; rend leur nombre.

    Avec ``connexions`` > 1, les index sont construits par autant de connexions à la fois, les plus gros
    d'abord (2 cœurs : un index se trie pendant qu'un autre s'écrit). Un index n'est effacé de la liste
    qu'une fois construit : une interruption laisse les autres à reconstruire au lancement suivant.
    """
    suspendus = list(IndexSuspendu.objects.all())
    if not suspendus:
        return 0
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT relname, pg_table_size(oid) FROM pg_class WHERE relname = ANY(%s)",
            [sorted({i.table for i in suspendus})],
        )
        tailles = dict(curseur.fetchall())
    suspendus.sort(key=lambda i: (-tailles.get(i.table, 0), i.table, i.nom))
    if connexions > 1:
        with ThreadPoolExecutor(max_workers=connexions, thread_name_prefix="fdls-index") as fils:
            list(fils.map(lambda index: _construire(index, True, journal), suspendus))
    else:
        for index in suspendus:
            _construire(index, False, journal)
    return len(suspendus)
