"""Aides des écrans du portail : espace réservé au demandeur connecté, « ma demande » parmi les siennes.

Un demandeur ne voit que ses demandes (``Demande.objects.visibles_par(user)``, fdls/acces) ; une demande
d'un autre donne la même 404 qu'une demande inexistante, et une ligne « refus » au journal. Chaque demande
montrée est notée au journal des consultations (``fdls.audit.services.montrer``), comme pour un agent.
"""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache

from demandes.dossier.models import Demande
from fdls.audit.models import Consultation
from fdls.audit.services import montrer, refuser_si_existe
from fdls.socle.vues import objet_ou_404


def demandeur_requis(vue):
    """Demandeur connecté ; un visiteur va à la connexion du portail, un agent à son accueil."""

    @functools.wraps(vue)
    def enveloppe(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portail:connexion"))
        if not user.is_demandeur:
            return redirect("socle:accueil")
        return vue(request, *args, **kwargs)

    return never_cache(enveloppe)


def ma_demande(request, pk, *relations: str, action: str = Consultation.Action.CONSULTATION) -> Demande:
    """La demande ``pk`` du demandeur connecté (404 sinon), notée au journal des consultations."""
    demandes = Demande.objects.visibles_par(request.user)
    if relations:
        demandes = demandes.select_related(*relations)
    try:
        demande = objet_ou_404(demandes, pk)
    except Http404:
        # La demande d'un autre : même 404 qu'une demande inexistante, et une ligne « refus » au journal.
        refuser_si_existe(request, Demande.objects.all(), pk)
        raise
    if demande.purgee_le:
        raise Http404
    montrer(request, [demande], action=action)
    return demande
