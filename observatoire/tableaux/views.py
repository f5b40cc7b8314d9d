"""Écrans des tableaux standard et des indicateurs légaux (minces : le choix, puis les sélecteurs)."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from observatoire.croisement.forms import ChoixTerritoire
from observatoire.photos.models import Photo
from observatoire.tableaux import indicateurs, selectors
from observatoire.vues import statistiques_requises


def _choix(request):
    photo = Photo.objects.filter(pk=request.GET.get("photo") or 0).first() or Photo.objects.first()
    annees = selectors.annees_attributions(photo) if photo else []
    form = ChoixTerritoire(request.GET or None, annees=annees)
    photo = form.photo_choisie() if form.is_bound else photo
    return form, photo


@never_cache
@statistiques_requises
def accueil(request):
    return render(
        request,
        "observatoire/accueil.html",
        {
            "section": "statistiques",
            "tableaux": selectors.TABLEAUX.values(),
            "photos": Photo.objects.all()[:24],
        },
    )


@never_cache
@statistiques_requises
def tableau(request, code):
    standard = selectors.TABLEAUX.get(code)
    if standard is None:
        raise Http404("Tableau inconnu.")
    form, photo = _choix(request)
    grilles = []
    if photo is not None and not form.errors:
        grilles = standard.fonction(photo, form.territoire(), form.annee_choisie(photo))
    return render(
        request,
        "observatoire/tableaux/tableau.html",
        {
            "section": "statistiques",
            "standard": standard,
            "tableaux": selectors.TABLEAUX.values(),
            "form": form,
            "photo": photo,
            "grilles": grilles,
        },
    )


@never_cache
@statistiques_requises
def indicateurs_legaux(request):
    form, photo = _choix(request)
    par_epci = par_bailleur = []
    annee = None
    if photo is not None and not form.errors:
        annee = form.annee_choisie(photo)
        filtres = form.territoire().filtres(quartier=False)
        par_epci = indicateurs.indicateurs_legaux(photo, annee, par="epci", filtres=filtres)
        par_bailleur = indicateurs.indicateurs_legaux(photo, annee, par="bailleur", filtres=filtres)
    return render(
        request,
        "observatoire/tableaux/indicateurs.html",
        {
            "section": "statistiques",
            "tableaux": selectors.TABLEAUX.values(),
            "form": form,
            "photo": photo,
            "annee": annee,
            "par_epci": par_epci,
            "par_bailleur": par_bailleur,
            "definitions": indicateurs.DEFINITIONS,
        },
    )
