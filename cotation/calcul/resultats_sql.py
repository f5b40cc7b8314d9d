"""Écriture des résultats de cotation : une demande, un paquet (COPY + upsert), la répartition des totaux.

Les résultats d'une demande (un par territoire) et l'historique de ses totaux
s'écrivent en une instruction ; un paquet passe par une table temporaire remplie par COPY puis
un seul ``INSERT … ON CONFLICT`` (l'historique ne reçoit une ligne que si le
total ou la grille change, et au plus une par résultat remplacé : contrainte
``historique_cotation_une_fois`` sur (demande, grille, ``calcul_remplace``), ``ON CONFLICT DO
NOTHING`` ; deux écrivains simultanés n'écrivent donc pas deux lignes, deux territoires d'une même demande
— deux grilles — chacun la sienne).
Accord avec l'ORM : tests/cotation/calcul/test_resultats_sql.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction

_SQL_TMP = """
CREATE TEMP TABLE IF NOT EXISTS tmp_cotation (
    demande_id bigint, territoire varchar(9), grille_id bigint, total smallint, lignes jsonb,
    prochaine_echeance date, commune_id varchar(5), typologie varchar(10), PRIMARY KEY (demande_id, territoire)
) ON COMMIT DELETE ROWS
"""
_SQL_HISTORIQUE_PAQUET = """
INSERT INTO cotation_historiquecotation (demande_id, grille_id, total, date, motif, calcul_remplace)
SELECT t.demande_id, t.grille_id, t.total, %s, %s, r.calcule_le
FROM tmp_cotation t
LEFT JOIN cotation_resultatcotation r ON r.demande_id = t.demande_id AND r.territoire = t.territoire
WHERE r.demande_id IS NULL OR r.total <> t.total OR r.grille_id IS DISTINCT FROM t.grille_id
ON CONFLICT DO NOTHING
"""
# Les résultats des territoires qui ne sont plus parmi les choix des demandes du paquet.
_SQL_OBSOLETES_PAQUET = """
DELETE FROM cotation_resultatcotation r
USING (SELECT DISTINCT demande_id FROM tmp_cotation) p
WHERE r.demande_id = p.demande_id
  AND NOT EXISTS (SELECT 1 FROM tmp_cotation t WHERE t.demande_id = r.demande_id AND t.territoire = r.territoire)
"""
_SQL_UPSERT_PAQUET = """
INSERT INTO cotation_resultatcotation
    (demande_id, territoire, grille_id, total, lignes, calcule_le, prochaine_echeance, commune_id, typologie)
SELECT demande_id, territoire, grille_id, total, lignes, %s, prochaine_echeance, commune_id, typologie
FROM tmp_cotation
ON CONFLICT (demande_id, territoire) DO UPDATE SET grille_id = EXCLUDED.grille_id, total = EXCLUDED.total,
    lignes = EXCLUDED.lignes, calcule_le = EXCLUDED.calcule_le,
    prochaine_echeance = EXCLUDED.prochaine_echeance, commune_id = EXCLUDED.commune_id,
    typologie = EXCLUDED.typologie
"""
_SQL_ECRIRE = """
WITH lignes AS (
    SELECT * FROM jsonb_to_recordset(%(lignes)s::jsonb) AS x(
        territoire text, grille_id bigint, total smallint, lignes jsonb, prochaine_echeance date,
        commune_id text, typologie text)
),
anciens AS (
    SELECT territoire, total, grille_id, calcule_le FROM cotation_resultatcotation WHERE demande_id = %(d)s
),
obsoletes AS (
    DELETE FROM cotation_resultatcotation r WHERE r.demande_id = %(d)s
       AND r.territoire NOT IN (SELECT territoire FROM lignes)
),
maj AS (
    INSERT INTO cotation_resultatcotation
        (demande_id, territoire, grille_id, total, lignes, calcule_le, prochaine_echeance, commune_id, typologie)
    SELECT %(d)s, territoire, grille_id, total, lignes, %(q)s, prochaine_echeance, commune_id, typologie FROM lignes
    ON CONFLICT (demande_id, territoire) DO UPDATE SET grille_id = EXCLUDED.grille_id, total = EXCLUDED.total,
        lignes = EXCLUDED.lignes, calcule_le = EXCLUDED.calcule_le,
        prochaine_echeance = EXCLUDED.prochaine_echeance, commune_id = EXCLUDED.commune_id,
        typologie = EXCLUDED.typologie
)
INSERT INTO cotation_historiquecotation (demande_id, grille_id, total, date, motif, calcul_remplace)
SELECT %(d)s, l.grille_id, l.total, %(q)s, %(m)s,
       (SELECT a.calcule_le FROM anciens a WHERE a.territoire = l.territoire)
FROM lignes l
WHERE NOT EXISTS (SELECT 1 FROM anciens a WHERE a.territoire = l.territoire AND a.total = l.total
                    AND a.grille_id IS NOT DISTINCT FROM l.grille_id)
ON CONFLICT DO NOTHING
"""
_SQL_DISTRIBUTIONS = (
    "INSERT INTO cotation_distributioncotation (commune_id, typologie, total, effectif, calcule_le) "
    "SELECT r.commune_id, r.typologie, r.total, count(*), now() FROM cotation_resultatcotation r "
    "JOIN demandes_demande d ON d.id = r.demande_id "
    "WHERE d.etat = 'active' AND r.commune_id IS NOT NULL AND r.typologie <> '' AND r.grille_id IS NOT NULL "
    "GROUP BY r.commune_id, r.typologie, r.total"
)

#: Colonnes d'une ligne de résultat, dans l'ordre des tuples de ``ecrire_paquet``.
COLONNES = (
    "demande_id",
    "territoire",
    "grille_id",
    "total",
    "lignes",
    "prochaine_echeance",
    "commune_id",
    "typologie",
)


def ecrire_resultats(lignes: list[tuple], *, demande_id: int, quand: datetime, motif: str) -> None:
    """Les résultats d'une demande (tuples dans l'ordre de ``COLONNES``, un par territoire, ``lignes`` en texte
    JSON) en une instruction : résultats des territoires quittés effacés, les autres écrits, et une ligne
    d'historique pour chaque territoire dont le total (ou la grille) change."""
    objets = [
        {
            "territoire": territoire,
            "grille_id": grille_id,
            "total": total,
            "lignes": json.loads(texte),
            "prochaine_echeance": echeance.isoformat() if echeance else None,
            "commune_id": commune_id,
            "typologie": typologie,
        }
        for _, territoire, grille_id, total, texte, echeance, commune_id, typologie in lignes
    ]
    with connection.cursor() as cur:
        cur.execute(
            _SQL_ECRIRE,
            {"d": demande_id, "lignes": json.dumps(objets, ensure_ascii=False), "q": quand, "m": motif[:60]},
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
        cur.execute(_SQL_OBSOLETES_PAQUET)
        cur.execute(_SQL_UPSERT_PAQUET, [quand])
    return changees


def rafraichir_distributions() -> int:
    """Répartition des totaux des demandes actives par commune du premier choix × plus petite typologie."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM cotation_distributioncotation")
        cur.execute(_SQL_DISTRIBUTIONS)
        return cur.rowcount
