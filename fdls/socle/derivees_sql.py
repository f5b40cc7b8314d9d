"""Tables dérivées des demandes tenues par des triggers, recalculées une fois au bout d'une écriture en plusieurs
instructions.

La table de recherche de la liste (``demandes``) et la table de rapprochement (``instruction``) sont tenues par
des triggers d'instruction : chaque écriture d'une table source recalcule les lignes de ses demandes.
L'enregistrement d'une demande écrit la demande, son ménage, ses labels, sa cotation, sa référence : sept
recalculs des mêmes lignes, plus de la moitié du temps du serveur pour cette transaction
(docs/benchmarks.md, session 14). ``tables_derivees_differees`` désarme ces triggers le temps du bloc
(``fdls.recherche_differee``, réglage local à la transaction, déjà lu par eux pour les chargements en masse),
puis appelle une fois la fonction de recalcul de chaque table pour les demandes écrites.

Chaque application enregistre la fonction SQL qui recalcule ses lignes (``enregistrer_rafraichissement``,
dans son ``AppConfig.ready``) : le socle n'importe aucune application. Un bloc interrompu par une erreur
est annulé avec sa transaction (ou son point de sauvegarde), réglage compris.

Test d'accord : tests/instruction/rapprochement/test_tenue.py (mêmes lignes après un enregistrement différé
que par le remplissage complet ; triggers réarmés après le bloc).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

REGLAGE = "fdls.recherche_differee"

# Fonctions SQL ``f(ids bigint[])`` qui recalculent les lignes dérivées de ces demandes.
RAFRAICHISSEMENTS: list[str] = []


def enregistrer_rafraichissement(fonction_sql: str) -> None:
    if not fonction_sql.replace("_", "").isalnum():
        raise ValueError(f"Nom de fonction SQL invalide : {fonction_sql!r}")
    if fonction_sql not in RAFRAICHISSEMENTS:
        RAFRAICHISSEMENTS.append(fonction_sql)


@contextmanager
def tables_derivees_differees() -> Iterator[list[int]]:
    """Triggers des tables dérivées désarmés dans le bloc ; rend la liste où l'appelant ajoute les demandes
    écrites, recalculées une fois à la sortie. Dans un chargement en masse déjà différé, rien n'est recalculé
    (le chargement remplit les tables à la fin)."""
    if not connection.in_atomic_block:
        raise RuntimeError("tables_derivees_differees s'utilise dans une transaction (transaction.atomic).")
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT coalesce(current_setting(%s, true), ''), set_config(%s, 'on', true)", [REGLAGE, REGLAGE]
        )
        avant = curseur.fetchone()[0]
    demandes: list[int] = []
    yield demandes
    if avant == "on":
        return
    fonctions = RAFRAICHISSEMENTS if demandes else []
    appels = "".join(f", {f}(%s::bigint[])" for f in fonctions)
    with connection.cursor() as curseur:
        # Triggers réarmés (valeur d'avant) et lignes recalculées, en un aller-retour.
        curseur.execute(
            f"SELECT set_config(%s, %s, true){appels}", [REGLAGE, avant or "off", *[demandes] * len(fonctions)]
        )
