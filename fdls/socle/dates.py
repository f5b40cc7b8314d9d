"""Arithmétique des mois civils (échéances, anciennetés, durées de la cotation).

Une seule définition pour tout le projet, celle de ``relativedelta`` : le
31 janvier + 1 mois donne le 28 (ou 29) février, et il y a un mois révolu du
31 janvier au 28 février. Écrite sans ``relativedelta`` : la cotation
l'appelle des millions de fois ; ``cotation/calcul/compilation_sql.py`` la
traduit en SQL (test d'accord).
"""

from __future__ import annotations

import calendar
from datetime import date


def ajouter_mois(d: date, mois: int) -> date:
    """``d`` + ``mois`` mois, jour ramené au dernier du mois si besoin (``mois`` peut être négatif)."""
    total = d.year * 12 + d.month - 1 + mois
    annee, m = divmod(total, 12)
    jour = min(d.day, calendar.monthrange(annee, m + 1)[1])
    return date(annee, m + 1, jour)


def mois_entre(debut: date, fin: date) -> int:
    """Mois entiers révolus de ``debut`` à ``fin`` (0 si ``fin`` précède ``debut``)."""
    if fin < debut:
        return 0
    n = (fin.year - debut.year) * 12 + fin.month - debut.month
    if ajouter_mois(debut, n) > fin:
        n -= 1
    return n
