"""Écriture des résultats de cotation : une demande, un paquet (COPY + upsert), la répartition des totaux.

Le résultat d'une demande et l'historique de ses totaux s'écrivent en une
instruction ; un paquet passe par une table temporaire remplie par COPY puis
un seul ``INSERT … ON CONFLICT`` (l'historique ne reçoit une ligne que si le
total ou la grille change, et au plus une par résultat remplacé : contrainte
``historique_cotation_une_fois`` sur ``calcul_remplace``, ``ON CONFLICT DO
NOTHING`` ; deux écrivains simultanés n'écrivent donc pas deux lignes).
Accord avec l'ORM : tests/cotation/calcul/test_resultats_sql.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import connection, transaction

_SQL_ECRIRE = """
WITH ancien AS (SELECT total, grille_id, calcule_le FROM cotation_resultatcotation WHERE demande_id = %(d)s),
maj AS (
    INSERT INTO cotation_resultatcotation
        (demande_id, grille_id, total, lignes, calcule_le, prochaine_echeance, commune_id, typologie)
    VALUES (%(d)s, %(g)s, %(t)s, %(l)s::jsonb, %(q)s, %(e)s, %(c)s, %(ty)s)
    ON CONFLICT (demande_id) DO UPDATE SET grille_id = EXCLUDED.grille_id, total = EXCLUDED.total,
        lignes = EXCLUDED.lignes, calcule_le = EXCLUDED.calcule_le,
        prochaine_echeance = EXCLUDED.prochaine_echeance, commune_id = EXCLUDED.commune_id,
        typologie = EXCLUDED.typologie
)
INSERT INTO cotation_historiquecotation (demande_id, grille_id, total, date, motif, calcul_remplace)
SELECT %(d)s, %(g)s, %(t)s, %(q)s, %(m)s, (SELECT calcule_le FROM ancien)
WHERE NOT EXISTS (SELECT 1 FROM ancien WHERE total = %(t)s AND grille_id IS NOT DISTINCT FROM %(g)s)
ON CONFLICT DO NOTHING
"""

_SQL_TMP = """
CREATE TEMP TABLE IF NOT EXISTS tmp_cotation (
    demande_id bigint PRIMARY KEY, grille_id bigint, total smallint, lignes jsonb,
    prochaine_echeance date, commune_id varchar(5), typologie varchar(10)
) ON COMMIT DELETE ROWS
"""
_SQL_HISTORIQUE_PAQUET = """
INSERT INTO cotation_historiquecotation (demande_id, grille_id, total, date, motif, calcul_remplace)
SELECT t.demande_id, t.grille_id, t.total, %s, %s, r.calcule_le
FROM tmp_cotation t LEFT JOIN cotation_resultatcotation r ON r.demande_id = t.demande_id
WHERE r.demande_id IS NULL OR r.total <> t.total OR r.grille_id IS DISTINCT FROM t.grille_id
ON CONFLICT DO NOTHING
"""
_SQL_UPSERT_PAQUET = """
INSERT INTO cotation_resultatcotation
    (demande_id, grille_id, total, lignes, calcule_le, prochaine_echeance, commune_id, typologie)
SELECT demande_id, grille_id, total, lignes, %s, prochaine_echeance, commune_id, typologie FROM tmp_cotation
ON CONFLICT (demande_id) DO UPDATE SET grille_id = EXCLUDED.grille_id, total = EXCLUDED.total,
    lignes = EXCLUDED.lignes, calcule_le = EXCLUDED.calcule_le,
    prochaine_echeance = EXCLUDED.prochaine_echeance, commune_id = EXCLUDED.commune_id,
    typologie = EXCLUDED.typologie
"""
_SQL_DISTRIBUTIONS = (
    "INSERT INTO cotation_distributioncotation (commune_id, typologie, total, effectif, calcule_le) "
    "SELECT r.commune_id, r.typologie, r.total, count(*), now() FROM cotation_resultatcotation r "
    "JOIN demandes_demande d ON d.id = r.demande_id "
    "WHERE d.etat = 'active' AND r.commune_id IS NOT NULL AND r.typologie <> '' AND r.grille_id IS NOT NULL "
    "GROUP BY r.commune_id, r.typologie, r.total"
)

#: Colonnes d'une ligne de résultat, dans l'ordre des tuples de ``ecrire_paquet``.
COLONNES = ("demande_id", "grille_id", "total", "lignes", "prochaine_echeance", "commune_id", "typologie")


def ecrire_resultat(
    *,
    demande_id: int,
    grille_id: int | None,
    total: int,
    lignes: str,
    quand: datetime,
    prochaine_echeance: date | None,
    commune_id: str | None,
    typologie: str,
    motif: str,
) -> None:
    """Résultat d'une demande (``lignes`` : texte JSON) et, si le total ou la grille change, une ligne d'historique."""
    with connection.cursor() as cur:
        cur.execute(
            _SQL_ECRIRE,
            {
                "d": demande_id,
                "g": grille_id,
                "t": total,
                "l": lignes,
                "q": quand,
                "e": prochaine_echeance,
                "c": commune_id,
                "ty": typologie,
                "m": motif[:60],
            },
        )


def ecrire_paquet(lignes: Iterable[tuple], *, quand: datetime, motif: str) -> int:
    """Écrit un paquet de résultats (tuples dans l'ordre de ``COLONNES``, ``lignes`` en texte JSON) : COPY, une
    requête d'historique, un upsert ; rend le nombre de totaux changés (lignes d'historique écrites)."""
    with connection.cursor() as cur:
        cur.execute(_SQL_TMP)
        # Vide d'un paquet précédent quand l'appelant tient une transaction englobante (pas de commit entre
        # les paquets : ON COMMIT DELETE ROWS ne les a pas effacées).
        cur.execute("DELETE FROM tmp_cotation")
        with cur.copy(f"COPY tmp_cotation ({', '.join(COLONNES)}) FROM STDIN") as copie:
            for ligne in lignes:
                copie.write_row(ligne)
        cur.execute(_SQL_HISTORIQUE_PAQUET, [quand, motif[:60]])
        changees = cur.rowcount
        cur.execute(_SQL_UPSERT_PAQUET, [quand])
    return changees


def rafraichir_distributions() -> int:
    """Répartition des totaux des demandes actives par commune du premier choix × plus petite typologie."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM cotation_distributioncotation")
        cur.execute(_SQL_DISTRIBUTIONS)
        return cur.rowcount
