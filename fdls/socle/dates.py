"""Arithmétique des mois civils (échéances, anciennetés, durées de la cotation), et contrôle commun
des dates saisies (``controler_date`` : ni avant 1900, ni avant le dépôt, ni dans un futur impossible).

Une seule définition pour tout le projet, celle de ``relativedelta`` : le
31 janvier + 1 mois donne le 28 (ou 29) février, et il y a un mois révolu du
31 janvier au 28 février. Écrite sans ``relativedelta`` : la cotation
l'appelle des millions de fois ; ``cotation/calcul/compilation_sql.py`` la
traduit en SQL (test d'accord).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone


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


# ---------------------------------------------------------------- dates saisies

#: Aucune date saisie (naissance, pose d'un label, vacance, entrée en vigueur…) avant cette année.
ANNEE_MIN = 1900
PREMIER_JOUR = date(ANNEE_MIN, 1, 1)


def controler_date(
    valeur: date | None,
    *,
    libelle: str,
    pas_avant: date | None = None,
    pas_avant_libelle: str = "le dépôt de la demande",
    futur_max_jours: int | None = 0,
    aujourd_hui: date | None = None,
) -> None:
    """Le contrôle commun à toute date saisie (formulaires, API, imports, services), message en français.

    ``libelle`` nomme la date en début de phrase (« La date de pose du label ») ; refusées : une date
    avant 1900, avant ``pas_avant`` (le dépôt de la demande, la pose du label…), ou après aujourd'hui
    + ``futur_max_jours`` (``None`` : pas de limite). ``ValidationError`` avec le code ``date_ancienne``,
    ``date_anterieure`` ou ``date_future``.
    """
    if valeur is None:
        return
    if valeur < PREMIER_JOUR:
        raise ValidationError(
            f"{libelle} ({valeur:%d/%m/%Y}) est antérieure à {ANNEE_MIN} : vérifiez l'année.", code="date_ancienne"
        )
    if pas_avant is not None and valeur < pas_avant:
        raise ValidationError(
            f"{libelle} ne peut précéder {pas_avant_libelle} ({pas_avant:%d/%m/%Y}).", code="date_anterieure"
        )
    if futur_max_jours is None:
        return
    aujourd_hui = aujourd_hui or timezone.localdate()
    limite = aujourd_hui + timedelta(days=futur_max_jours)
    if valeur > limite:
        if futur_max_jours == 0:
            message = f"{libelle} ne peut être dans le futur (aujourd'hui : {aujourd_hui:%d/%m/%Y})."
        else:
            message = f"{libelle} ne peut dépasser le {limite:%d/%m/%Y} : vérifiez l'année."
        raise ValidationError(message, code="date_future")
