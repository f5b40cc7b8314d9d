"""Remplissage de la table de rapprochement en une instruction ensembliste (générateur, bancs, reprise).

En fonctionnement, la table est tenue par les triggers de la migration
``instruction/0001`` ; ``remplir_tout`` la réécrit entièrement par la même
requête (fonction SQL ``instruction_candidats_remplir_tout``), après un
chargement en masse qui a désarmé les triggers (``fdls.recherche_differee``).

Test d'accord : tests/instruction/rapprochement/test_tenue.py (les lignes tenues par les triggers au fil
des écritures des services sont celles du remplissage complet, et leurs valeurs celles que calcule Python :
revenu retenu, catégorie, labels actifs, points du territoire).
"""

from django.db import connection


def remplir_tout() -> int:
    """Réécrit toute la table ; rend le nombre de lignes."""
    with connection.cursor() as curseur:
        curseur.execute("SELECT instruction_candidats_remplir_tout()")
        return curseur.fetchone()[0]


def analyser() -> None:
    """``VACUUM ANALYZE`` de la table après une réécriture en masse (démonstration, banc) : sans statistiques,
    le planificateur ne choisit pas le parcours de l'index dans l'ordre du classement. Dans une transaction
    (où ``VACUUM`` est interdit), ``ANALYZE`` seul."""
    commande = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as curseur:
        curseur.execute(f"{commande} instruction_lignecandidat")
