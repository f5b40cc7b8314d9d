"""Écrans du dépôt en ligne : le Cerfa par rubriques (onglets), le brouillon, le dépôt ; suggestions de communes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from demandes.cycle.forms import ReferentielCommunes
from demandes.cycle.views import ACTION_SUIVANT, ACTIONS_AJOUT
from demandes.dossier.models import Demande
from portail.vues import demandeur_requis, ma_demande

from . import services
from .forms import SaisieEnLigne, VueSaisie


def _rendre(request, saisie, *, demande=None, status=200):
    resume = saisie.resume_erreurs()
    contexte = {
        "saisie": VueSaisie(saisie),
        "piece_identite": saisie.guichet_form["piece_identite"],
        "demande": demande,
        "resume_erreurs": resume,
        "onglets": saisie.onglets(resume),
        "mode": "depot",
    }
    return render(request, "portail/depot/saisie.html", contexte, status=status)


@require_http_methods(["GET", "POST"])
@demandeur_requis
def depot(request, pk=None):
    """Nouvelle demande (``pk`` absent) ou reprise de mon brouillon."""
    demande = None
    if pk is not None:
        demande = ma_demande(request, pk)
        if demande.etat != Demande.Etat.BROUILLON:
            return redirect("portail:demande", demande.pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    saisie = SaisieEnLigne(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        demande=demande,
        ajout=ACTIONS_AJOUT.get(action),
    )
    if request.method != "POST":
        return _rendre(request, saisie, demande=demande)
    if action in ACTIONS_AJOUT or action == ACTION_SUIVANT:
        saisie.masquer_erreurs()
        return _rendre(request, saisie, demande=demande)
    if action not in ("brouillon", "deposer"):
        messages.error(request, "Action inconnue : utilisez les boutons du formulaire.")
        return _rendre(request, saisie, demande=demande, status=400)
    if not saisie.est_valide():
        return _rendre(request, saisie, demande=demande, status=422)
    try:
        if action == "brouillon":
            d = services.sauver_brouillon_en_ligne(saisie.dossier(), user=request.user)
            messages.success(request, "Brouillon enregistré : vous pouvez reprendre votre demande plus tard.")
            return redirect("portail:depot_brouillon", d.pk)
        d = services.deposer(saisie.dossier(), user=request.user, piece_identite=saisie.piece_identite)
    except ValidationError as erreur:
        saisie.appliquer_erreurs(erreur)
        return _rendre(request, saisie, demande=demande, status=422)
    messages.success(
        request,
        f"Votre demande est déposée. Le guichet {d.guichet.nom} vérifiera votre pièce d'identité puis l'enregistrera : "
        "vous recevrez alors votre numéro unique.",
    )
    return redirect("portail:demande", d.pk)


@require_GET
def communes_suggerees(request):
    """Suggestions de communes (données publiques) pour le combobox de la saisie en ligne."""
    saisie = request.GET.get("q", "")
    for cle, valeur in request.GET.items():
        if cle.endswith("-commune"):
            saisie = valeur
    departements = [d for d in request.GET.get("departements", "").split(",") if d.strip()][:5]
    referentiel = ReferentielCommunes(departements)
    return render(
        request,
        "demandes/cycle/saisie/_suggestions_communes.html",
        {
            "communes": referentiel.suggestions(saisie),
            "referentiel": referentiel,
            "saisie": saisie,
            "cible": "".join(c for c in request.headers.get("HX-Target", "suggestions") if c.isalnum() or c in "-_"),
        },
    )
