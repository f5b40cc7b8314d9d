"""Pages publiques du portail : comment déposer, test d'éligibilité, annuaire des guichets."""

from django.shortcuts import render
from django.utils import timezone

from . import selectors, services
from .forms import CommuneForm, EligibiliteForm


def accueil(request):
    """Déposer une demande, les pièces à fournir, la cotation et son livret, les conséquences d'un refus."""
    return render(request, "portail/public/accueil.html", {"grilles": selectors.grilles_en_vigueur()})


def eligibilite(request):
    form = EligibiliteForm(request.GET or None)
    resultat = None
    if form.is_bound and form.is_valid():
        le = timezone.localdate()
        personnes = services.menage(**form.menage(), le=le)
        resultat = services.eligibilite(
            personnes=personnes, rfr=form.cleaned_data["rfr"], zone=form.cleaned_data["zone"], le=le
        )
    return render(
        request,
        "portail/public/eligibilite.html",
        {"form": form, "resultat": resultat},
        status=422 if form.errors else 200,
    )


def guichets(request):
    communes = list(selectors.communes_des_guichets())
    form = CommuneForm(request.GET or None, communes=communes)
    commune = form.cleaned_data.get("commune") if form.is_bound and form.is_valid() else None
    liste = list(selectors.guichets_publics(commune or None))
    return render(request, "portail/public/guichets.html", {"form": form, "guichets": liste})
