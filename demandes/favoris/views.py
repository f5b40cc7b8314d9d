"""Écrans des recherches enregistrées (« favoris ») : enregistrer depuis la liste, ouvrir, renommer, supprimer.

Un agent ne voit et ne touche que les siennes (404 sinon) ; chaque écriture
passe par ``favoris.services`` (transaction, erreurs en français sur le champ).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from demandes.dossier.vues import nominatif_requis
from demandes.favoris import services
from demandes.favoris.forms import FavoriForm
from demandes.favoris.models import Favori
from fdls.socle.formulaires import reporter_erreurs
from fdls.socle.vues import objet_ou_404


def _url_liste(favori: Favori) -> str:
    return f"{reverse('demandes:liste')}?{favori.criteres}" if favori.criteres else reverse("demandes:liste")


def _favori(request, pk) -> Favori:
    return objet_ou_404(Favori.objects.filter(utilisateur=request.user), pk)


@nominatif_requis
def favoris(request):
    return render(
        request,
        "demandes/favoris/favoris.html",
        {"section": "demande", "favoris": services.favoris_de(request.user)},
    )


@nominatif_requis
@require_POST
def enregistrer(request):
    form = FavoriForm(request.POST)
    if form.is_valid():
        try:
            favori = services.enregistrer_favori(
                request.user, nom=form.cleaned_data["nom"], criteres=form.cleaned_data["criteres"]
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, f"Recherche « {favori.nom} » enregistrée : elle figure sur votre accueil.")
            return HttpResponseRedirect(_url_liste(favori))
    criteres = form.data.get("criteres", "")
    return render(
        request,
        "demandes/favoris/enregistrer.html",
        {"section": "demande", "form": form, "retour": f"{reverse('demandes:liste')}?{criteres}"},
        status=400,
    )


@nominatif_requis
def ouvrir(request, pk):
    return redirect(_url_liste(_favori(request, pk)))


@nominatif_requis
@require_http_methods(["GET", "POST"])
def renommer(request, pk):
    favori = _favori(request, pk)
    if request.method == "POST":
        form = FavoriForm(request.POST)
        if form.is_valid():
            ancien = favori.nom
            try:
                services.renommer_favori(favori, nom=form.cleaned_data["nom"])
            except ValidationError as erreur:
                reporter_erreurs(form, erreur)
            else:
                messages.success(request, f"Recherche « {ancien} » renommée « {favori.nom} ».")
                return redirect("demandes:favoris")
    else:
        form = FavoriForm(initial={"nom": favori.nom})
    return render(
        request,
        "demandes/favoris/renommer.html",
        {"section": "demande", "form": form, "favori": favori},
        status=400 if form.errors else 200,
    )


@nominatif_requis
@require_http_methods(["GET", "POST"])
def supprimer(request, pk):
    favori = _favori(request, pk)
    if request.method == "POST":
        services.supprimer_favori(favori)
        messages.success(request, f"Recherche « {favori.nom} » supprimée.")
        return redirect("demandes:favoris")
    return render(request, "demandes/favoris/supprimer.html", {"section": "demande", "favori": favori})
