"""Écrans des labels d'une demande : bloc « Compléments » de la fiche, ajout et retrait.

Le bloc de la fiche est rendu par l'étiquette ``{% bloc_labels demande %}``
(``demandes/templatetags/labels_fiche.py``) ; les écritures passent par
``labels.services`` (droits par organisme, historique, refus journalisés).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from demandes.dossier.vues import demande_visible, nominatif_requis
from demandes.labels import services as labels
from demandes.labels.forms import LabelForm, RetraitForm
from demandes.labels.models import Label
from fdls.socle.formulaires import reporter_erreurs
from fdls.socle.vues import objet_ou_404


def _fiche(demande_pk) -> str:
    return reverse("demandes:detail", args=[demande_pk]) + "#onglet-complements"


@nominatif_requis
def ajouter(request, pk):
    """Formulaire « Ajouter un label » (page seule si une erreur est à corriger)."""
    demande = demande_visible(request, pk)
    types = labels.types_posables(request.user)
    form = LabelForm(request.POST or None, types=types)
    statut = 200
    if request.method == "POST":
        statut = 422
        if form.is_valid():
            try:
                label = labels.poser_label(
                    demande,
                    form.cleaned_data["type"],
                    user=request.user,
                    date_pose=form.cleaned_data["date_pose"],
                    commentaire=form.cleaned_data["commentaire"],
                )
            except labels.LabelRefuse as refus:
                form.add_error("type", refus.message)
                statut = 403
            except ValidationError as erreur:
                reporter_erreurs(form, erreur)
            else:
                messages.success(request, f"Label « {label.type.libelle} » ajouté.")
                return redirect(_fiche(demande.pk))
    contexte = {"section": "demande", "demande": demande, "form": form, "types": types}
    return render(request, "demandes/labels/ajouter.html", contexte, status=statut)


@require_POST
@nominatif_requis
def retirer(request, pk, label_pk):
    demande = demande_visible(request, pk)
    label = objet_ou_404(Label.objects.select_related("type", "demande"), label_pk, demande=demande)
    form = RetraitForm(request.POST)
    form.is_valid()
    try:
        labels.retirer_label(label, user=request.user, motif=form.cleaned_data.get("motif", ""))
    except labels.LabelRefuse as refus:
        messages.error(request, refus.message)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, f"Label « {label.type.libelle} » retiré ; il reste visible dans les labels retirés.")
    return redirect(_fiche(demande.pk))
