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


# Lignes de survie d'un niveau de regroupement (``_SQL_SURVIE`` sans la commune ni l'EPCI qu'il ne garde pas),
# agrégées et rangées par groupe : lues en flux, un groupe à la fois (mémoire constante dans la taille du fichier).
_FILTRE_SURVIE = """
depot <= %(depot_max)s AND (depot >= %(debut)s OR (%(troncature)s AND (etat = 'active' OR fin > %(debut)s)))
"""
CLES_NIVEAUX = {
    # niveau (premier élément des clés de ``attentes._niveaux``) : (colonnes de la clé, condition)
    "ct": ("commune, typologie", "typologie <> ''"),
    "et": ("epci, typologie", "typologie <> '' AND epci IS NOT NULL"),
    "c": ("commune", "true"),
    "e": ("epci", "epci IS NOT NULL"),
}
_SQL_EFFECTIFS = " UNION ALL ".join(
    f"SELECT '{niveau}', {colonnes}{', NULL' if ',' not in colonnes else ''}, count(*) FROM tmp_attente "
    f"WHERE {condition} AND {_FILTRE_SURVIE} GROUP BY {colonnes}"
    for niveau, (colonnes, condition) in CLES_NIVEAUX.items()
)
_SQL_SURVIE_NIVEAU = """
SELECT {colonnes}, greatest(%(debut)s - depot, 0) AS entree,
       CASE WHEN etat <> 'active' AND fin <= %(le)s THEN fin - depot ELSE %(le)s - depot END AS jours,
       (etat = 'satisfaite' AND fin <= %(le)s) AS evenement, count(*)
FROM tmp_attente
WHERE {condition} AND {filtre}
GROUP BY {groupes}
ORDER BY {colonnes}
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

    def effectifs(self, *, le: date, debut: date, depot_max: date, troncature: bool) -> dict:
        """Nombre de demandes de chaque groupe de chaque niveau (clés ``("ct", commune, typologie)``,
        ``("et", epci, typologie)``, ``("c", commune)``, ``("e", epci)``), comptées comme ``survie``."""
        parametres = {"le": le, "debut": debut, "depot_max": depot_max, "troncature": troncature}
        return {
            (niveau, a) if b is None else (niveau, a, b): n
            for niveau, a, b, n in self._lire(_SQL_EFFECTIFS, parametres)
        }

    def survie_par_groupe(
        self, niveau: str, *, le: date, debut: date, depot_max: date, troncature: bool
    ) -> Iterator[tuple[tuple, list[tuple]]]:
        """(clé, [(jours, événement, nombre, entrée)…]) de chaque groupe du ``niveau``, lus en flux par un curseur
        côté serveur, un groupe à la fois : mêmes lignes que ``survie``, agrégées sans la commune ni l'EPCI que
        le niveau ne garde pas (les poids s'ajoutent)."""
        colonnes, condition = CLES_NIVEAUX[niveau]
        largeur = colonnes.count(",") + 1
        positions = ", ".join(str(largeur + k) for k in (1, 2, 3))  # entrée, jours, événement
        sql = _SQL_SURVIE_NIVEAU.format(
            colonnes=colonnes, condition=condition, filtre=_FILTRE_SURVIE, groupes=f"{colonnes}, {positions}"
        )
        parametres = {"le": le, "debut": debut, "depot_max": depot_max, "troncature": troncature}
        cle_courante, lignes = None, []
        with connection.connection.cursor(name=f"attentes_{niveau}") as flux:
            flux.itersize = 20_000
            flux.execute(sql, parametres)
            for ligne in flux:
                cle = (niveau, *ligne[:largeur])
                if cle != cle_courante:
                    if lignes:
                        yield cle_courante, lignes
                    cle_courante, lignes = cle, []
                entree, jours, evenement, n = ligne[largeur:]
                lignes.append((jours, evenement, n, entree))
        if lignes:
            yield cle_courante, lignes

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
