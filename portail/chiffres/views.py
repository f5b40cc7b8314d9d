from django.shortcuts import render

from fdls.territoires.models import Commune, Epci

from . import services
from .forms import TerritoireForm
from .models import ChiffresTerritoire


def chiffres(request):
    """Chiffres clés d'une commune ou d'un EPCI (sans connexion)."""
    form = TerritoireForm(request.GET or None)
    photo, nom, sans_photo = None, "", False
    if form.is_bound and form.is_valid():
        territoire, code = form.territoire()
        if code:
            photo = services.chiffres_du_mois(territoire, code)
            sans_photo = photo is None
            modele = Epci if territoire == ChiffresTerritoire.Territoire.EPCI else Commune
            nom = modele.objects.filter(pk=code).values_list("nom", flat=True).first() or ""
    contexte = {"form": form, "photo": photo, "nom": nom, "sans_photo": sans_photo}
    return render(request, "portail/chiffres/chiffres.html", contexte, status=422 if form.errors else 200)
