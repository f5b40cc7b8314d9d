"""Garde des listes contre le N+1 : une page fait autant de requêtes SQL avec une ligne qu'avec cinq.

Comme seves (``test_evenement_produit_list_performances.py``) : chaque page de
liste est lue avec 1 puis 5 lignes, même nombre de requêtes attendu. Les
lignes ajoutées doivent exercer tout ce que la page affiche d'une ligne
(co-demandeur, communes, relations), sinon la garde ne voit rien.
"""

import re
from collections import Counter
from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

LIGNES = 5


def _lire(lire: Callable):
    with CaptureQueriesContext(connection) as capture:
        reponse = lire()
    assert reponse.status_code == 200, reponse.content[:500]
    return reponse, [requete["sql"] for requete in capture.captured_queries]


def _forme(sql: str) -> str:
    """La requête sans ses valeurs (chaînes, nombres, listes ``IN``, points de reprise, curseurs) : sa forme."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    sql = re.sub(r"IN \([?, ]+\)", "IN (…)", sql)
    sql = re.sub(r'SAVEPOINT "[^"]*"', "SAVEPOINT ?", sql)
    return re.sub(r'"_django_curs_[^"]*"', "curseur", sql)


def _ecart(une: list[str], plusieurs: list[str]) -> str:
    en_plus = Counter(map(_forme, plusieurs)) - Counter(map(_forme, une))
    lignes = [f"{n} × {forme[:400]}" for forme, n in en_plus.most_common()]
    return f"{len(une)} requêtes pour 1 ligne, {len(plusieurs)} pour {LIGNES} ; en plus :\n" + "\n".join(lignes)


def requetes_constantes(lire: Callable, ajouter: Callable, lignes: Callable) -> int:
    """``lire()`` rend la réponse de la page ; ``ajouter()`` crée une ligne ; ``lignes(reponse)`` compte les
    lignes affichées. La page est lue une première fois (caches de la session, des paramètres), puis avec
    1 et ``LIGNES`` lignes : le nombre de requêtes ne change pas. Rend ce nombre."""
    ajouter()
    lire()
    une, sql_une = _lire(lire)
    assert lignes(une) == 1
    for _ in range(LIGNES - 1):
        ajouter()
    plusieurs, sql_plusieurs = _lire(lire)
    assert lignes(plusieurs) == LIGNES
    assert len(sql_une) == len(sql_plusieurs), _ecart(sql_une, sql_plusieurs)
    return len(sql_une)


def lignes_de_la_page(reponse) -> int:
    """Lignes d'une liste paginée des écrans (``page`` du contexte)."""
    return len(reponse.context["page"].object_list)


def resultats_api(reponse) -> int:
    """Lignes d'une liste de l'API (paginée ou non)."""
    corps = reponse.json()
    return len(corps["results"] if isinstance(corps, dict) else corps)
