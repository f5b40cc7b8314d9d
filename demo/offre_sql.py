"""Écriture du parc de démonstration en base : COPY des logements, vacance recopiée, statistiques.

Accord avec l'ORM : tests/demo/test_offre.py (les logements copiés se relisent par l'ORM et passent
``full_clean`` ; la vacance recopiée est celle des disponibilités ouvertes relues par l'ORM).
"""

from __future__ import annotations

from django.db import connection


def copier_logements(lignes: str, colonnes: str, *, direct: bool) -> list[int]:
    """COPY de ``lignes`` (format texte de COPY) dans ``offre_logement`` ; rend les identifiants créés.

    ``direct`` : COPY dans la table elle-même (table vide, banc : aucun identifiant rendu) ; sinon dans une
    table temporaire puis ``INSERT … ON CONFLICT DO NOTHING`` (relance sans doublon).
    """
    with connection.cursor() as cursor:
        if direct:
            with cursor.copy(f"COPY offre_logement ({colonnes}) FROM STDIN") as copie:
                copie.write(lignes)
            return []
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS tmp_offre_logement ON COMMIT DROP AS "
            f"SELECT {colonnes} FROM offre_logement WITH NO DATA"
        )
        cursor.execute("TRUNCATE tmp_offre_logement")
        with cursor.copy(f"COPY tmp_offre_logement ({colonnes}) FROM STDIN") as copie:
            copie.write(lignes)
        cursor.execute(
            f"INSERT INTO offre_logement ({colonnes}) SELECT {colonnes} FROM tmp_offre_logement "
            "ON CONFLICT (programme_id, code) DO NOTHING RETURNING id"
        )
        return [row[0] for row in cursor.fetchall()]


def recopier_vacances(disponibilites: list[int]) -> None:
    """Recopie l'état des disponibilités ouvertes sur leur logement (``Logement.vacance``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE offre_logement l SET vacance = d.etat FROM offre_disponibilite d "
            "WHERE d.logement_id = l.id AND d.etat IN ('a_pourvoir', 'en_cours') AND d.id = ANY(%s)",
            [disponibilites],
        )


def analyser_logements() -> None:
    """Statistiques du planificateur à jour après un chargement en masse."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE offre_logement")
