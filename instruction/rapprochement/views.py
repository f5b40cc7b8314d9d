"""Écran de la recherche de candidats d'une vacance et de l'explication des exclusions (minces)."""

from django.http import Http404
from django.shortcuts import render

from fdls.audit.models import Consultation
from fdls.audit.services import montrer, refuser_si_existe
from fdls.socle.vues import agent_requis
from instruction.rapprochement import selectors
from instruction.rapprochement.forms import ExplicationForm, FiltresCandidats
from offre.models import Disponibilite


def numero_de_page(valeur) -> int:
    try:
        return max(1, int(valeur))
    except (TypeError, ValueError):
        return 1


def vacance_pour(request, pk):
    """La vacance si l'agent peut y chercher des candidats ; une vacance qui existe hors de son parc visible
    répond 404 comme une inexistante, et sa tentative est inscrite au journal (« refus »)."""
    try:
        return selectors.disponibilite_pour(request.user, pk)
    except Http404:
        refuser_si_existe(request, Disponibilite.objects.all(), pk)
        raise


@agent_requis
def candidats(request, pk):
    disponibilite = vacance_pour(request, pk)
    filtres = FiltresCandidats(request.GET)
    valide = filtres.is_valid()
    recherche = selectors.recherche(disponibilite, filtres.cleaned_data if valide else {})
    page = (
        selectors.page_candidats(recherche, request.user, numero_de_page(request.GET.get("page"))) if valide else None
    )
    pourquoi = ExplicationForm(request.GET)
    explications = []
    texte = pourquoi.cleaned_data.get("pourquoi") if pourquoi.is_valid() else ""
    if texte and valide:
        explications = selectors.expliquer(recherche, request.user, selectors.demandes_nommees(request.user, texte))
    # Chaque demande montrée : une ligne du journal des consultations (« liste » pour les candidates, comme la
    # liste des demandes ; « consultation » pour une demande expliquée, désignée par l'agent).
    montrer(request, [e.demande for e in explications], action=Consultation.Action.CONSULTATION)
    montrer(request, [c.demande for c in (page.candidats if page else [])], action=Consultation.Action.LISTE)
    contexte = {
        "section": "offre",
        "disponibilite": disponibilite,
        "logement": disponibilite.logement,
        "recherche": recherche,
        "filtres": filtres,
        "criteres_valides": valide,
        "page": page,
        "pourquoi": pourquoi,
        "texte_pourquoi": texte,
        "explications": explications,
        "plafond_compte": selectors.PLAFOND_COMPTE,
    }
    return render(request, "instruction/rapprochement/candidats.html", contexte)
