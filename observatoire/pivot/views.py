"""Écrans du constructeur de tableaux croisés et de ses exports (minces : formulaire, puis services)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fdls.socle.vues import objet_ou_404
from observatoire.graphiques import svg
from observatoire.photos.models import Photo
from observatoire.pivot import services
from observatoire.pivot.forms import ConstructeurPivot
from observatoire.pivot.models import EtatExport, ExportPivot, FormatExport
from observatoire.tableaux.selectors import annees_attributions
from observatoire.tableurs.ecriture import TYPES_MIME, ecrire
from observatoire.vues import statistiques_requises


def _formulaire(donnees):
    photo = Photo.objects.filter(pk=(donnees or {}).get("photo") or 0).first() or Photo.objects.first()
    return ConstructeurPivot(donnees, annees=annees_attributions(photo) if photo else [])


def _telecharger(grille, format_: str) -> HttpResponse:
    with tempfile.TemporaryDirectory() as dossier:
        chemin = Path(dossier) / f"tableau.{format_}"
        ecrire(format_, chemin, grille.en_lignes(), titre="Tableau croisé")
        reponse = HttpResponse(chemin.read_bytes(), content_type=TYPES_MIME[format_])
    reponse["Content-Disposition"] = f'attachment; filename="tableau-croise.{format_}"'
    return reponse


@never_cache
@statistiques_requises
def pivot(request):
    form = _formulaire(request.GET or None)
    contexte = {"section": "statistiques", "form": form, "formats": FormatExport.choices}
    if form.is_bound and form.is_valid():
        photo = form.photo_choisie()
        if photo is None:
            form.add_error("photo", "Aucune photo du fichier n'a encore été prise.")
        else:
            grille = services.grille_pivot(photo, form.parametres())
            format_ = request.GET.get("format")
            if format_ in TYPES_MIME:
                return _telecharger(grille, format_)
            contexte.update(grille=grille, photo=photo, requete=request.GET.urlencode())
            if len(grille.lignes) <= 40:
                contexte["graphique"] = svg.barres(
                    f"{grille.titre} (total par ligne)", [(lib, vals[-1]) for lib, vals in grille.lignes]
                )
    return render(request, "observatoire/pivot/pivot.html", contexte)


@require_POST
@statistiques_requises
def extraction(request):
    form = _formulaire(request.POST)
    format_ = request.POST.get("format_extraction")
    if format_ not in FormatExport.values:
        form.is_valid()
        form.add_error(None, "Choisissez le format de l'extraction : CSV, XLSX ou ODS.")
    if form.is_valid() and form.photo_choisie() is not None:
        export = services.demander_extraction(
            user=request.user, photo=form.photo_choisie(), parametres=form.parametres(), format_=format_
        )
        return redirect("observatoire:export", pk=export.pk)
    return render(
        request,
        "observatoire/pivot/pivot.html",
        {"section": "statistiques", "form": form, "formats": FormatExport.choices},
        status=400,
    )


def _export_de(request, pk) -> ExportPivot:
    return objet_ou_404(ExportPivot.objects.filter(auteur=request.user), pk)


@never_cache
@statistiques_requises
def export(request, pk):
    objet = _export_de(request, pk)
    gabarit = "observatoire/pivot/_etat_export.html" if request.htmx else "observatoire/pivot/export.html"
    return render(request, gabarit, {"section": "statistiques", "export": objet, "EtatExport": EtatExport})


@statistiques_requises
def export_fichier(request, pk):
    objet = _export_de(request, pk)
    if objet.etat != EtatExport.PRET:
        raise Http404("Cet export n'est pas prêt.")
    chemin = services.chemin_export(objet)
    if not chemin.is_file():
        raise Http404("Le fichier de cet export n'existe plus.")
    return FileResponse(
        chemin.open("rb"),
        as_attachment=True,
        filename=f"extraction-{objet.pk}.{objet.format}",
        content_type=TYPES_MIME[objet.format],
    )
