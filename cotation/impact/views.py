"""Études d'impact d'un projet de grille (seed 001 §5) : lancement, avancement, résultats, export XLSX.

Réservées à ceux qui gèrent les grilles du territoire (``cotation.acces`` :
gestionnaire du fichier, administrateur de l'EPCI) : page 403 qui explique la
règle pour les autres agents, 404 pour une grille ou une étude d'un autre
territoire. Le calcul tourne en tâche de fond (``cotation.tasks.etude_impact``,
planifiée par l'outbox) et ne modifie rien (``cotation.impact.services``) ; la page
d'avancement interroge son état toutes les deux secondes (htmx).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from cotation import acces as acces_cotation
from cotation.vues import SECTION, gestion_requise
from fdls.socle.formulaires import reporter_erreurs
from fdls.socle.vues import objet_ou_404

from . import services as impact
from .forms import LancementForm
from .models import EtudeImpact


def _etude(request, pk) -> EtudeImpact:
    gerables = acces_cotation.grilles_gerables(request.user)
    return objet_ou_404(
        EtudeImpact.objects.select_related("grille__epci", "reference", "demandee_par").filter(grille__in=gerables), pk
    )


@gestion_requise
def lancer(request, pk):
    """Formulaire de lancement d'une étude sur une grille, et les études déjà faites."""
    grille = objet_ou_404(acces_cotation.grilles_gerables(request.user).select_related("epci"), pk)
    comparables = impact.grilles_comparables(grille)
    form = LancementForm(request.POST or None, comparables=comparables)
    if request.method == "POST" and form.is_valid():
        try:
            etude = impact.lancer(grille, reference=form.cleaned_data["reference"], user=request.user)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
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
