"""Écrans du suivi : cotation expliquée, décisions des commissions, priorités et contingents."""

from django.shortcuts import render

from cotation.transparence.views import contexte_transparence
from cotation.views import contexte_onglet
from portail.vues import demandeur_requis, ma_demande

from . import selectors


@demandeur_requis
def cotation(request, pk):
    """Les points (critères et poids, total), la place parmi les demandes comparables, les délais d'attente."""
    demande = ma_demande(request, pk)
    contexte = {**contexte_onglet(demande), **contexte_transparence(demande), "rubrique": "cotation"}
    return render(request, "portail/suivi/cotation.html", contexte)


@demandeur_requis
def decisions(request, pk):
    demande = ma_demande(request, pk)
    contexte = {
        "demande": demande,
        "rubrique": "decisions",
        "decisions": selectors.decisions_cal(demande),
        "priorites": selectors.priorites(demande),
    }
    return render(request, "portail/suivi/decisions.html", contexte)


@demandeur_requis
def priorites(request, pk):
    demande = ma_demande(request, pk)
    contexte = {"demande": demande, "rubrique": "priorites", "priorites": selectors.priorites(demande)}
    return render(request, "portail/suivi/priorites.html", contexte)
