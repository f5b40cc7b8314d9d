"""Comparaisons sans accents ni casse, sans extension PostgreSQL (``unaccent`` n'est pas dans le PostgreSQL
embarqué du démarrage rapide) : « helene » trouve « HÉLÈNE », « Hélène » trouve « HELENE ».

``pli(texte)`` en Python et ``Pli(expression)`` en SQL rendent la même forme : minuscules, lettres
accentuées du français ramenées à leur lettre de base (``translate`` de PostgreSQL). Test d'accord :
tests/socle/test_accents.py.
"""

from __future__ import annotations

import unicodedata

from django.db.models import CharField, Func, Value
from django.db.models.functions import Lower

#: Lettres accentuées (minuscules) et leur lettre de base, caractère pour caractère.
ACCENTUEES = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿ"
DE_BASE = "aaaaaaceeeeiiiinooooouuuuyy"
_TABLE = str.maketrans(ACCENTUEES, DE_BASE)


def pli(texte: str) -> str:
    """Minuscules sans accents : la forme que ``Pli`` calcule en SQL."""
    return unicodedata.normalize("NFC", (texte or "").lower()).translate(_TABLE)


class Pli(Func):
    """``translate(lower(expression), ACCENTUEES, DE_BASE)`` : la forme de ``pli`` en SQL."""

    function = "translate"
    output_field = CharField()

    def __init__(self, expression, **extra):
        super().__init__(Lower(expression), Value(ACCENTUEES), Value(DE_BASE), **extra)
