"""Aides des écrans des demandes : accès nominatif, demande visible ou modifiable.

Tout écran nominatif passe par ``nominatif_requis`` (CCH R441-2-6 : un agent
sans rôle nominatif reçoit une page 403 qui explique la règle) ; une demande
se lit parmi ``Demande.objects.visibles_par(user)`` (404 hors du territoire :
on ne révèle pas qu'elle existe) et s'écrit parmi ``modifiables_par(user)``.

Journal des consultations (docs/acces.md) : ``demande_visible`` note la
demande qu'il rend (une ligne écrite quand la réponse la montre, par
``fdls.audit.middleware``) et inscrit aussitôt un refus quand la demande
existe hors du périmètre de l'agent ; ``montrer_demandes`` fait de même pour
les lignes d'une liste. Écrans comme API passent par ces aides.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from demandes.dossier.models import Demande
from fdls import acces
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_refus, montrer, refuser_si_existe
from fdls.socle.vues import agent_requis, objet_ou_404


def acces_refuse(request):
    """Un agent sans rôle nominatif (observateur) : 403 qui explique la règle d'accès."""
    return render(request, "demandes/dossier/acces_refuse.html", {"section": "demande"}, status=403)


def nominatif_requis(vue):
    """Agent avec un rôle nominatif (CCH R441-2-6) ; sinon une page 403 qui explique la règle."""

    @agent_requis
    def enveloppe(request, *args, **kwargs):
        if not acces.voit_nominatif(request.user):
            return acces_refuse(request)
        return vue(request, *args, **kwargs)

    enveloppe.__name__ = vue.__name__
    enveloppe.__doc__ = vue.__doc__
    return never_cache(enveloppe)


def demande_visible(request, pk, *relations: str, action: str = Consultation.Action.CONSULTATION) -> Demande:
    """La demande si l'agent la voit (``select_related`` des ``relations``) ; 404 sinon, hors territoire compris.

    La demande rendue est notée au journal (``action``), écrite si la réponse
    la montre ; une demande qui existe hors du périmètre donne la même 404 et
    une ligne « refus » au journal.
    """
    visibles = Demande.objects.visibles_par(request.user)
    try:
        demande = objet_ou_404(visibles.select_related(*relations) if relations else visibles, pk)
    except Http404:
        refuser_si_existe(request, Demande.objects.all(), pk)
        raise
    montrer(request, [demande], action=action)
    return demande


def montrer_demandes(request, demandes, *, action: str = Consultation.Action.LISTE) -> None:
    """Les demandes d'une page de liste (ou d'un fragment htmx) : une ligne du journal chacune."""
    montrer(request, demandes, action=action)


def demande_instruisible(request, pk, *, refus: str) -> Demande:
    """La demande si l'agent peut la compléter et la corriger (guichet, ou instructeur bailleur sur une demande
    active) ; 404 hors territoire, 403 (``refus``, journalisé) sinon."""
    demande = demande_visible(request, pk)
    if not Demande.objects.instruisibles_par(request.user).filter(pk=pk).exists():
        journaliser_refus(request, demande)
        raise PermissionDenied(refus)
    return demande


def demande_modifiable(request, pk, *, refus: str) -> Demande:
    """La demande si l'agent peut la modifier ; 404 hors territoire, 403 (``refus``, journalisé) si lecture seule."""
    demande = demande_visible(request, pk)
    if not Demande.objects.modifiables_par(request.user).filter(pk=pk).exists():
        journaliser_refus(request, demande)
        raise PermissionDenied(refus)
    return demande
