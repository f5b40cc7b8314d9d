"""Écrans des labels d'une demande : bloc « Compléments » de la fiche, ajout et retrait.

Le bloc de la fiche est rendu par l'étiquette ``{% bloc_labels demande %}``
(``demandes/templatetags/labels_fiche.py``) ; les écritures passent par
``demandes.labels`` (droits par organisme, historique, refus journalisés).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from demandes import labels
from demandes.models import Demande, Label, TypeLabel
from demandes.views import nominatif_requis
from fdls.socle.formulaires import reporter_erreurs


class LabelForm(forms.Form):
    """Ajout d'un label : la liste ne propose que les labels que l'organisme de l'agent peut poser."""

    type = forms.ModelChoiceField(
        label="Priorité, éligibilité ou contingent",
        queryset=TypeLabel.objects.filter(actif=True),
        empty_label="Choisissez…",
        error_messages={
            "required": "Choisissez le label à ajouter.",
            "invalid_choice": "Ce label n'existe pas : choisissez-en un dans la liste.",
        },
    )
    date_pose = forms.DateField(
        label="Date de pose",
        required=False,
        help_text="Par défaut aujourd'hui ; la date de la décision (DALO, commission…) si elle est antérieure.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=300)

    def __init__(self, *args, types=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Le choix proposé : les labels posables ; la validation accepte tout type actif, et le service
        # refuse (message clair, tentative journalisée) un label hors des droits de l'organisme.
        self.fields["type"].choices = [("", "Choisissez…")] + [
            (t.pk, f"{t.get_famille_display()} – {t.libelle}") for t in types
        ]
        self.fields["date_pose"].initial = timezone.localdate()


class RetraitForm(forms.Form):
    motif = forms.CharField(label="Motif du retrait", required=False, max_length=300)


def _fiche(demande_pk) -> str:
    return reverse("demandes:detail", args=[demande_pk]) + "#onglet-complements"


def _demande_visible(request, pk) -> Demande:
    # 404 hors territoire : on ne révèle pas qu'une demande existe.
    return get_object_or_404(Demande.objects.visibles_par(request.user), pk=pk)


@nominatif_requis
def ajouter(request, pk):
    """Formulaire « Ajouter un label » (page seule si une erreur est à corriger)."""
    demande = _demande_visible(request, pk)
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
    demande = _demande_visible(request, pk)
    label = get_object_or_404(Label.objects.select_related("type", "demande"), pk=label_pk, demande=demande)
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
