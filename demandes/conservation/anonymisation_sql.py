"""Seule porte de réécriture de l'historique : l'anonymisation d'une demande dont la conservation est écoulée.

Le trigger ``demandes_evenement_immuable`` (migrations 0004 et 0023) refuse
tout UPDATE de ``demandes_evenement`` sauf dans une transaction qui a posé
``SET LOCAL fdls.anonymisation_historique = 'on'`` (et sans toucher à la
demande, au type ni à la date de la ligne). Test d'accord : le résultat
observable relu par l'ORM, ``tests/demandes/conservation/test_purge.py::
test_historique_garde_sans_les_noms`` (et le refus hors purge,
``test_historique_reste_immuable_hors_purge``).
"""

from django.db import connection


def autoriser_anonymisation_historique() -> None:
    """À appeler dans la transaction de la purge : l'UPDATE de l'historique y devient permis (SET LOCAL)."""
    with connection.cursor() as curseur:
        curseur.execute("SET LOCAL fdls.anonymisation_historique = 'on'")
