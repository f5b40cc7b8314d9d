"""Données ouvertes : les extraits mensuels publiés et leur dictionnaire (publics : anonymes et masqués)."""

import re

from django.http import FileResponse, Http404
from django.shortcuts import render

from observatoire.opendata import services

MOIS = re.compile(r"^\d{4}-\d{2}$")


def opendata(request):
    return render(
        request,
        "observatoire/opendata/opendata.html",
        {"section": "statistiques", "extraits": services.extraits_publies(), "colonnes": services.COLONNES},
    )


def fichier(request, mois, nom):
    if not MOIS.match(mois) or nom not in (services.FICHIER, services.DICTIONNAIRE):
        raise Http404("Fichier inconnu.")
    chemin = services.Path(services.settings.MEDIA_ROOT) / services.DOSSIER / mois / nom
    if not chemin.is_file():
        raise Http404("Cet extrait n'est pas publié.")
    return FileResponse(chemin.open("rb"), filename=f"{mois}-{nom}", content_type="text/csv; charset=utf-8")
