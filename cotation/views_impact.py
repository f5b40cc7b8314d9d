"""Études d'impact d'un projet de grille (seed 001 §5) : lancement, avancement, résultats, export XLSX.

Réservées à ceux qui gèrent les grilles du territoire (``cotation.acces`` :
gestionnaire du fichier, administrateur de l'EPCI) : page 403 qui explique la
règle pour les autres agents, 404 pour une grille ou une étude d'un autre
territoire. Le calcul tourne en tâche de fond (``cotation.tasks.etude_impact``,
planifiée par l'outbox) et ne modifie rien (``cotation.impact``) ; la page
d'avancement interroge son état toutes les deux secondes (htmx).
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django_htmx.http import HttpResponseClientRedirect

from fdls.socle.vues import agent_requis

from . import acces as acces_cotation
from . import impact
from .models import EtudeImpact, Grille

SECTION = "cotation"


def gestion_requise(vue):
    @agent_requis
    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        if not acces_cotation.peut_gerer_grilles(request.user):
            return render(request, "cotation/acces_refuse.html", {"section": SECTION}, status=403)
        return vue(request, *args, **kwargs)

    return never_cache(enveloppe)


class LancementForm(forms.Form):
    reference = forms.ModelChoiceField(
        queryset=Grille.objects.none(),
        empty_label=None,
        label="Comparer avec",
        help_text="Par défaut, la grille en vigueur sur le territoire.",
    )

    def __init__(self, *args, comparables, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].queryset = comparables
        self.fields["reference"].label_from_instance = lambda g: (
            f"{g.libelle} – version {g.version} ({g.get_etat_display().lower()})"
        )


def _etude(request, pk) -> EtudeImpact:
    gerables = acces_cotation.grilles_gerables(request.user)
    return get_object_or_404(
        EtudeImpact.objects.select_related("grille__epci", "reference", "demandee_par").filter(grille__in=gerables),
        pk=pk,
    )


@gestion_requise
def lancer(request, pk):
    """Formulaire de lancement d'une étude sur une grille, et les études déjà faites."""
    grille = get_object_or_404(acces_cotation.grilles_gerables(request.user).select_related("epci"), pk=pk)
    comparables = impact.grilles_comparables(grille)
    form = LancementForm(request.POST or None, comparables=comparables)
    if request.method == "POST" and form.is_valid():
        try:
            etude = impact.lancer(grille, reference=form.cleaned_data["reference"], user=request.user)
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            return redirect("cotation:etude_impact", etude.pk)
    contexte = {
        "section": SECTION,
        "grille": grille,
        "form": form,
        "sans_comparable": not comparables.exists(),
        "etudes": grille.etudes.select_related("reference", "demandee_par")[:20],
    }
    return render(request, "cotation/impact/lancer.html", contexte, status=400 if form.errors else 200)


def _contexte_statut(etude: EtudeImpact) -> dict:
    progression = etude.resultats.get("progression", 0) if etude.statut == EtudeImpact.Statut.EN_COURS else 0
    return {"etude": etude, "progression": progression, "grille": etude.grille, "section": SECTION}


@gestion_requise
def etude(request, pk):
    """Avancement d'une étude ; terminée : ses résultats."""
    etude = _etude(request, pk)
    if etude.statut == EtudeImpact.Statut.TERMINEE:
        return redirect("cotation:resultats_impact", etude.pk)
    return render(request, "cotation/impact/etude.html", _contexte_statut(etude))


@gestion_requise
def statut(request, pk):
    """Fragment d'avancement, interrogé toutes les 2 s ; terminée : redirection htmx vers les résultats."""
    etude = _etude(request, pk)
    if etude.statut == EtudeImpact.Statut.TERMINEE:
        url = reverse("cotation:resultats_impact", args=[etude.pk])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return render(request, "cotation/impact/_statut.html", _contexte_statut(etude))


@gestion_requise
def resultats(request, pk):
    etude = _etude(request, pk)
    if etude.statut != EtudeImpact.Statut.TERMINEE:
        return redirect("cotation:etude_impact", etude.pk)
    r = etude.resultats
    n = r["demandes"] or 1
    contexte = {
        "section": SECTION,
        "etude": etude,
        "grille": etude.grille,
        "r": r,
        "part_gagnent": round(100 * r["gagnent"] / n, 1),
        "part_perdent": round(100 * r["perdent"] / n, 1),
        "part_inchanges": round(100 * r["inchanges"] / n, 1),
        "ventilations": [(nom, titre, r["ventilations"].get(nom, [])) for nom, titre in impact.VENTILATIONS.items()],
    }
    return render(request, "cotation/impact/resultats.html", contexte)


@gestion_requise
def export(request, pk):
    etude = _etude(request, pk)
    if etude.statut != EtudeImpact.Statut.TERMINEE:
        return redirect("cotation:etude_impact", etude.pk)
    reponse = HttpResponse(
        impact.classeur(etude), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    nom = f"etude-impact-{etude.grille.epci_id}-v{etude.grille.version}-{etude.pk}.xlsx"
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse
