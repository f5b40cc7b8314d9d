"""Écrans de l'import d'un fichier de parc : dépôt, rapport ligne à ligne, import des lignes valides, modèle CSV.

Réservés aux instructeurs d'un bailleur, sur leur propre parc, et à l'administration du fichier, pour le
bailleur qu'elle choisit (``import_requis``, ``services.peut_importer``).
"""

import csv
import io
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fdls.socle.tableurs import ligne_csv
from fdls.socle.typographie import nombre, pluriel
from fdls.socle.vues import agent_requis, objet_ou_404
from offre.importation import services
from offre.importation.analyse import COLONNES
from offre.importation.forms import ImportForm
from offre.models import ImportLogements, peut_importer
from offre.vues import contexte_offre


def import_requis(vue):
    """Instructeur d'un bailleur (son parc) ou administration du fichier (le bailleur qu'elle choisit)."""

    @agent_requis
    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        if not peut_importer(request.user):
            raise PermissionDenied(services.REFUS_IMPORT)
        return vue(request, *args, **kwargs)

    return enveloppe


@never_cache
@import_requis
@require_http_methods(["GET", "POST"])
def importer(request):
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        fichier = form.cleaned_data["fichier"]
        import_ = services.importer_logements(
            auteur=request.user,
            fichier=fichier,
            nom_fichier=fichier.name,
            lignes_valides_seulement=form.cleaned_data["lignes_valides_seulement"],
            bailleur=form.cleaned_data.get("bailleur"),
        )
        if import_.etat == ImportLogements.Etat.IMPORTE:
            messages.success(request, _resume_import(import_))
        else:
            messages.error(request, "Le fichier contient des erreurs : rien n'a été importé.")
        return redirect("offre:import", pk=import_.pk)
    derniers = services.imports_visibles(request.user)[:10]
    return render(
        request,
        "offre/import.html",
        contexte_offre(request, "import", form=form, colonnes=COLONNES, derniers=derniers),
    )


def _resume_import(import_: ImportLogements) -> str:
    return (
        f"Import terminé : {pluriel(import_.nb_crees, 'logement créé', 'logements créés')}, "
        f"{nombre(import_.nb_modifies)} mis à jour."
    )


@never_cache
@import_requis
def rapport_import(request, pk):
    import_ = objet_ou_404(services.imports_visibles(request.user), pk)
    return render(
        request,
        "offre/rapport_import.html",
        contexte_offre(
            request,
            "import",
            import_=import_,
            erreurs=import_.erreurs[:500],
            erreurs_masquees=max(len(import_.erreurs) - 500, 0),
            peut_importer_valides=import_.etat == ImportLogements.Etat.ERREURS
            and bool(import_.fichier)
            and import_.nb_valides > 0,
        ),
    )


@import_requis
@require_POST
def importer_valides(request, pk):
    import_ = objet_ou_404(services.imports_visibles(request.user), pk)
    try:
        import_ = services.importer_lignes_valides(auteur=request.user, import_=import_)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(
            request,
            _resume_import(import_)
            + f" {pluriel(import_.nb_erreurs, 'ligne en erreur ignorée', 'lignes en erreur ignorées')}.",
        )
    return redirect("offre:import", pk=import_.pk)


@import_requis
def modele_import(request):
    """Fichier CSV modèle : les en-têtes documentés et une ligne d'exemple."""
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";")
    ecrivain.writerow(ligne_csv(c.nom for c in COLONNES))
    ecrivain.writerow(ligne_csv(c.exemple for c in COLONNES))
    reponse = HttpResponse("\ufeff" + sortie.getvalue(), content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = 'attachment; filename="modele_import_logements.csv"'
    return reponse
