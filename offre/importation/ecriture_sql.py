"""Écriture en masse des logements d'un import : COPY dans une table temporaire, un seul ``INSERT … ON CONFLICT``.

Cent fois plus rapide qu'un ``bulk_create`` de 100 000 lignes (docs/benchmarks.md,
« Offre »). Les programmes sont écrits avant, par l'ORM (``services.ecrire``).
Accord avec l'ORM : tests/offre/importation/test_ecriture_sql.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

# Champs d'un logement lus dans le fichier (ordre des colonnes du COPY).
CHAMPS_DESCRIPTION = [
    "typologie",
    "categorie",
    "nature",
    "surface",
    "etage",
    "ascenseur",
    "accessibilite",
    "loyer",
    "charges",
    "financement",
    "reservataire_id",
    "dpe",
    "loyer_accessible",
    "labels",
]
COLONNES_LOGEMENT_COPIEES = ["bailleur_id", "commune_id", "departement_id", "quartier_id", "qpv", *CHAMPS_DESCRIPTION]
#: Colonnes d'une ligne de ``ecrire_logements``, dans l'ordre.
COLONNES = ["programme_id", "code", *COLONNES_LOGEMENT_COPIEES, "created_at", "updated_at"]


def suivre_programmes(programme_ids: list[int]) -> None:
    """Recopie sur leurs logements la localisation des programmes ``programme_ids`` (commune, département, quartier,
    QPV) : un programme déplacé entraîne tous ses logements, même absents du fichier."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE offre_logement l
               SET commune_id = p.commune_id, departement_id = p.departement_id,
                   quartier_id = p.quartier_id, qpv = p.qpv
              FROM offre_programme p
             WHERE l.programme_id = p.id AND p.id = ANY(%s)
               AND (l.commune_id, l.departement_id, l.quartier_id, l.qpv)
                   IS DISTINCT FROM (p.commune_id, p.departement_id, p.quartier_id, p.qpv)
            """,
            [programme_ids],
        )


def logements_existants(programme_ids: list[int]) -> set[tuple[int, str]]:
    """(programme, code) des logements déjà en base pour ces programmes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT programme_id, code FROM offre_logement WHERE programme_id = ANY(%s)", [programme_ids])
        return set(cursor.fetchall())


def ecrire_logements(lignes: Iterable[tuple]) -> int:
    """Insère ou met à jour (par programme et code) les logements (tuples dans l'ordre de ``COLONNES``) ;
    rend le nombre de lignes écrites. À appeler dans une transaction."""
    liste = ", ".join(COLONNES)
    mises_a_jour = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLONNES if c not in ("programme_id", "code", "created_at"))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS tmp_import_logement")
        cursor.execute(
            f"CREATE TEMP TABLE tmp_import_logement ON COMMIT DROP AS SELECT {liste} FROM offre_logement WITH NO DATA"
        )
        with cursor.copy(f"COPY tmp_import_logement ({liste}) FROM STDIN") as copie:
            for ligne in lignes:
                copie.write_row(ligne)
        cursor.execute(
            f"INSERT INTO offre_logement ({liste}) SELECT {liste} FROM tmp_import_logement "
            f"ON CONFLICT (programme_id, code) DO UPDATE SET {mises_a_jour}"
        )
        total = cursor.rowcount
        cursor.execute("DROP TABLE tmp_import_logement")
    return total
