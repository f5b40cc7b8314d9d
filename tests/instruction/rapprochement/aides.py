"""Aides des tests du rapprochement : recherche à la date du jour, candidats et explication d'une demande."""

import datetime

from django.utils import timezone

from fdls import acces
from instruction.rapprochement import criteres, explication, recherche_sql

COUPLE = ("MARTIN", "Paul", datetime.date(1983, 6, 2))


def recherche(vacance, **filtres):
    return criteres.construire(vacance, filtres, le=timezone.localdate())


def candidats(vacance, agent, **filtres) -> list[int]:
    r = recherche(vacance, **filtres)
    return [ligne.demande_id for ligne in recherche_sql.candidats(r, acces.cles_acces(agent), limite=500)]


def raisons(vacance, agent, demande, **filtres) -> list[str]:
    r = recherche(vacance, **filtres)
    return explication.expliquer(r, demande, acces.cles_acces(agent)).raisons
