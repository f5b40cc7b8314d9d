"""Accès aux écrans de l'observatoire : statistiques sans nom, pour les rôles que la politique désigne.

``fdls.acces.voit_statistiques`` : tout agent actif d'un rôle qui donne accès aux statistiques (agent de
guichet, instructeur bailleur, réservataire, administrateur, observateur), associations comprises ; ni
un demandeur, ni un anonyme, ni un agent sans rôle (docs/acces.md).
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

from fdls import acces
from fdls.socle.vues import agent_requis

REFUS = "Les statistiques de l'observatoire sont réservées aux agents des organismes partenaires."


def statistiques_requises(vue):
    @agent_requis
    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        if not acces.voit_statistiques(request.user):
            raise PermissionDenied(REFUS)
        return vue(request, *args, **kwargs)

    return enveloppe
