"""Aides des écrans du parc : qui entre (lecture, gestion), contexte commun de la rubrique « Offre »."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from fdls import acces
from fdls.socle.vues import agent_requis
from offre.models import gere_offre, peut_importer


def lecture_requise(vue):
    """Parc d'un territoire : agents dont le rôle donne accès au fichier (docs/acces.md)."""

    @agent_requis
    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        if not acces.voit_nominatif(request.user):
            return render(request, "offre/acces_refuse.html", {"section": "offre"}, status=403)
        return vue(request, *args, **kwargs)

    return enveloppe


def gestion_requise(vue):
    """Écritures : instructeurs d'un bailleur social, sur leur propre parc."""

    @agent_requis
    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        if not gere_offre(request.user):
            raise PermissionDenied("La gestion du parc est réservée aux instructeurs d'un bailleur social.")
        return vue(request, *args, **kwargs)

    return enveloppe


def contexte_offre(request, onglet: str, **extra) -> dict:
    """Contexte commun des écrans de la rubrique « Offre » (onglet actif, droits de l'agent)."""
    return {
        "section": "offre",
        "onglet": onglet,
        "gere_offre": gere_offre(request.user),
        "peut_importer": peut_importer(request.user),
        "voit_parc": acces.voit_nominatif(request.user),
        **extra,
    }
