"""Écrans des bilans (liste, téléchargement) et des fiches territoriales (PDF à la demande)."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from fdls.socle.vues import objet_ou_404
from observatoire.bilans import services
from observatoire.bilans.forms import ChoixFiche
from observatoire.bilans.models import Bilan
from observatoire.tableurs.ecriture import TYPES_MIME
from observatoire.vues import statistiques_requises


@never_cache
@statistiques_requises
def bilans(request):
    form = ChoixFiche(request.GET or None)
    if form.is_bound and form.is_valid():
        photo = form.photo_choisie()
        if photo is None:
            form.add_error("photo", "Aucune photo du fichier n'a encore été prise.")
        else:
            territoire = form.territoire()
            reponse = HttpResponse(services.fiche_territoriale(photo, territoire), content_type="application/pdf")
            nom = (territoire.commune or territoire.epci).pk
            reponse["Content-Disposition"] = f'inline; filename="fiche-territoriale-{nom}.pdf"'
            return reponse
    return render(
        request,
        "observatoire/bilans/bilans.html",
        {"section": "statistiques", "bilans": Bilan.objects.select_related("photo"), "form": form},
    )


@statistiques_requises
def bilan_fichier(request, pk, format_):
    bilan = objet_ou_404(Bilan.objects.all(), pk)
    if format_ not in ("pdf", "xlsx"):
        raise Http404("Format inconnu.")
    chemin = services.chemin(getattr(bilan, format_))
    if not chemin.is_file():
        raise Http404("Le fichier de ce bilan n'existe plus.")
    type_mime = "application/pdf" if format_ == "pdf" else TYPES_MIME["xlsx"]
    return FileResponse(
        chemin.open("rb"), filename=chemin.name, content_type=type_mime, as_attachment=format_ == "xlsx"
    )
