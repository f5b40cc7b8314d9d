"""Lecture ensembliste des faits d'un paquet de demandes (recalcul du fichier, calcul de nuit, étude d'impact).

Cinq requêtes par plages d'index, sans ORM par ligne ; ``faits.charger``
assemble les lignes en ``Faits``. Accord avec le chemin ORM
(``faits.depuis_dossier``) : tests/cotation/calcul/test_services.py
(``test_charger_donne_les_memes_faits_que_depuis_dossier``).
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import connection

_SQL_DEMANDES = """
SELECT id, date_depot, statut_occupation, motifs, pieces_actuelles, surface_actuelle,
       coalesce(nullif(nb_occupants_actuels, 0), nb_personnes), loyer_actuel, aides_logement, typologies, nature,
       nb_personnes
FROM demandes_demande WHERE id BETWEEN %s AND %s AND id = ANY(%s)
"""
_SQL_CHOIX = """
SELECT l.demande_id, l.commune_id, c.epci_id
FROM demandes_localisationsouhaitee l JOIN territoires_commune c ON c.code_insee = l.commune_id
WHERE l.demande_id BETWEEN %s AND %s AND l.demande_id = ANY(%s) ORDER BY l.demande_id, l.rang
"""
_SQL_LABELS = """
SELECT l.demande_id, t.code, t.libelle FROM demandes_label l JOIN demandes_typelabel t ON t.id = l.type_id
WHERE l.demande_id BETWEEN %s AND %s AND l.demande_id = ANY(%s) AND l.date_retrait IS NULL
"""
_SQL_PERSONNES = """
SELECT p.demande_id, p.role, p.activite,
       (SELECT coalesce(sum(r.montant), 0) FROM demandes_ressource r WHERE r.personne_id = p.id)
FROM demandes_personne p WHERE p.demande_id BETWEEN %s AND %s AND p.demande_id = ANY(%s)
"""
_SQL_EVENEMENTS = """
SELECT demande_id, type, date, details->>'rang' FROM demandes_evenement
WHERE demande_id BETWEEN %s AND %s AND demande_id = ANY(%s) AND type = ANY(%s)
"""


class LignesFaits(NamedTuple):
    demandes: list[tuple]  # id, dépôt, statut, motifs, pièces, surface, occupants, loyer, aides, typologies, nature, nb
    choix: list[tuple]  # demande, commune, son EPCI : tous les choix, dans l'ordre des rangs
    labels: list[tuple]  # demande, code, libellé (labels actifs)
    personnes: list[tuple]  # demande, rôle, activité, ressources mensuelles
    evenements: list[tuple]  # demande, type, date, rang


def lire_paquet(ids: list[int], *, evenements: list[str]) -> LignesFaits:
    """Lignes des demandes ``ids`` et de leurs localisations, labels, personnes et événements de type ``evenements``."""
    # Bornes en plus de la liste : un parcours d'index par plage (le planificateur choisit sinon
    # parfois un parcours séquentiel pour ``= ANY`` d'un grand tableau : 1 s au lieu de 5 ms).
    borne = [min(ids), max(ids), list(ids)]
    with connection.cursor() as cur:
        cur.execute(_SQL_DEMANDES, borne)
        demandes = cur.fetchall()
        cur.execute(_SQL_CHOIX, borne)
        choix = cur.fetchall()
        cur.execute(_SQL_LABELS, borne)
        labels = cur.fetchall()
        cur.execute(_SQL_PERSONNES, borne)
        personnes = cur.fetchall()
        cur.execute(_SQL_EVENEMENTS, [*borne, evenements])
        lignes_evenements = cur.fetchall()
    return LignesFaits(demandes, choix, labels, personnes, lignes_evenements)
