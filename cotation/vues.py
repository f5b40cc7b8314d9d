"""Aides des écrans de la cotation : qui entre (gestion des grilles, données nominatives), rubrique du menu.

Bâties sur ``fdls.socle.vues.agent_requis`` : un demandeur n'entre pas ; un
agent sans le droit voit une page 403 qui explique la règle.
"""

from __future__ import annotations

from functools import wraps

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from fdls import acces
from fdls.socle.vues import agent_requis

from . import acces as acces_cotation

#: Rubrique du menu principal des écrans de gestion des grilles.
SECTION = "cotation"


def gestion_requise(vue):
    """Gestionnaire du fichier ou administrateur d'un EPCI ; sinon une page 403 qui explique la règle."""

    @agent_requis
    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        if not acces_cotation.peut_gerer_grilles(request.user):
            return render(request, "cotation/acces_refuse.html", {"section": SECTION}, status=403)
        return vue(request, *args, **kwargs)

    return never_cache(enveloppe)


def nominatif_requis(vue):
    """Agent avec un rôle nominatif (CCH R441-2-6), comme la fiche de la demande ; sinon une page 403."""

    @agent_requis
    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        if not acces.voit_nominatif(request.user):
            return render(request, "cotation/nominatif_refuse.html", {"section": "demande"}, status=403)
        return vue(request, *args, **kwargs)

    return never_cache(enveloppe)
