"""Écran des compteurs d'activité : une période, le tableau des flux, un indicateur jour par jour et sa courbe."""

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from observatoire.compteurs import selectors
from observatoire.compteurs.forms import ChoixPeriode
from observatoire.compteurs.models import Indicateur
from observatoire.graphiques import svg
from observatoire.vues import statistiques_requises


@never_cache
@statistiques_requises
def compteurs(request):
    form = ChoixPeriode(request.GET or {"au": "", "du": ""})
    contexte = {"section": "statistiques", "form": form, "dernier_jour": selectors.dernier_jour()}
    if form.is_valid():
        d = form.cleaned_data
        organisme = request.user.organisme_id
        serie = selectors.serie(d["indicateur"], d["du"], d["au"], organisme)
        contexte.update(
            periode=selectors.periode(d["du"], d["au"], organisme),
            serie=serie,
            graphique=svg.courbe(
                f"{Indicateur(d['indicateur']).label} – total général par jour",
                [(libelle, valeurs[2]) for libelle, valeurs in serie.lignes],
            ),
        )
    else:
        contexte["hier"] = timezone.localdate() - timedelta(days=1)
    return render(request, "observatoire/compteurs/compteurs.html", contexte)
