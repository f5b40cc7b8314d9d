"""Écran « Demandes en ligne à valider » : la file des agents de guichet accompagnateur.

La file montre les demandes déposées en ligne que l'agent voit (territoire de
son organisme, fdls/acces.py) ; l'examen d'un dossier est journalisé comme
toute consultation ; « Valider » (contrôle d'identité coché) enregistre la
demande, « Rejeter » exige un motif. Services : ``en_ligne.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from demandes.dossier.models import Demande
from demandes.dossier.saisie import charger_dossier
from demandes.dossier.vues import demande_visible, montrer_demandes, nominatif_requis
from demandes.en_ligne import services as en_ligne
from demandes.en_ligne.forms import RejetForm, ValidationForm
from fdls.socle.formulaires import reporter_erreurs
from fdls.socle.vues import PAR_PAGE


def _refus(request):
    return render(
        request,
        "demandes/en_ligne/refus.html",
        {"section": "demande", "message": en_ligne.MESSAGE_GUICHET_REQUIS},
        status=403,
    )


def guichet_requis(vue):
    @nominatif_requis
    def enveloppe(request, *args, **kwargs):
        if not en_ligne.peut_valider(request.user):
            return _refus(request)
        return vue(request, *args, **kwargs)

    enveloppe.__name__ = vue.__name__
    enveloppe.__doc__ = vue.__doc__
    return enveloppe


@guichet_requis
def file(request):
    """File des demandes en ligne à valider, les plus anciennes d'abord (50 par page)."""
    page = Paginator(en_ligne.file_a_valider(request.user), PAR_PAGE).get_page(request.GET.get("page"))
    montrer_demandes(request, page)
    pages = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return render(request, "demandes/en_ligne/file.html", {"section": "demande", "page": page, "pages": pages})


class DejaTraitee(Exception):
    pass


def _a_examiner(request, pk) -> Demande:
    demande = demande_visible(request, pk, "guichet__commune", "departement")
    if demande.etat != Demande.Etat.A_VALIDER:
        raise DejaTraitee(demande)
    return demande


def _deja_traitee(request, demande):
    messages.info(
        request,
        f"La demande de {demande.nom.upper()} {demande.prenom} n'est plus à valider "
        f"(état : {demande.get_etat_display().lower()}).",
    )
    return redirect("demandes:detail", demande.pk)


def _rendre_examen(request, demande, *, form_validation=None, form_rejet=None, status=200):
    dossier = charger_dossier(demande)
    contexte = {
        "section": "demande",
        "demande": demande,
        "dossier": dossier,
        "personnes": [s.personne for s in dossier.personnes],
        "form_validation": form_validation or ValidationForm(user=request.user, demande=demande),
        "form_rejet": form_rejet or RejetForm(),
    }
    return render(request, "demandes/en_ligne/examen.html", contexte, status=status)


@guichet_requis
def examen(request, pk):
    """Le dossier déposé en ligne, avec « Valider » et « Rejeter »."""
    try:
        demande = _a_examiner(request, pk)
    except DejaTraitee as exc:
        return _deja_traitee(request, exc.args[0])
    return _rendre_examen(request, demande)


@require_POST
@guichet_requis
def valider(request, pk):
    try:
        demande = _a_examiner(request, pk)
    except DejaTraitee as exc:
        return _deja_traitee(request, exc.args[0])
    form = ValidationForm(request.POST, user=request.user, demande=demande)
    if form.is_valid():
        try:
            demande = en_ligne.valider_demande_en_ligne(
                demande,
                user=request.user,
                identite_verifiee=form.cleaned_data["identite_verifiee"],
                guichet=form.cleaned_data["guichet"],
            )
        except PermissionDenied as refus:
            form.add_error(None, str(refus))
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(
                request,
                f"Demande de {demande.nom.upper()} {demande.prenom} validée et enregistrée : numéro unique "
                f"{demande.numero_unique_affiche}.",
            )
            return redirect("demandes:en_ligne")
    return _rendre_examen(request, demande, form_validation=form, status=422)


@require_POST
@guichet_requis
def rejeter(request, pk):
    try:
        demande = _a_examiner(request, pk)
    except DejaTraitee as exc:
        return _deja_traitee(request, exc.args[0])
    form = RejetForm(request.POST)
    if form.is_valid():
        try:
            en_ligne.rejeter_demande_en_ligne(demande, user=request.user, motif=form.cleaned_data["motif"])
        except PermissionDenied as refus:
            form.add_error(None, str(refus))
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, f"Demande de {demande.nom.upper()} {demande.prenom} rejetée.")
            return redirect("demandes:en_ligne")
    return _rendre_examen(request, demande, form_rejet=form, status=422)
