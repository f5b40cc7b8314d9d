"""Écrans de l'espace personnel : mes demandes, l'accueil d'une demande, mon dossier (modifier, renouveler),
l'historique, les documents, les éditions PDF, qui a consulté mon dossier.

Chaque écran lit la demande parmi celles du demandeur (``portail.vues.ma_demande`` : 404 sinon) et la note au
journal des consultations ; les écritures passent par les services des demandes, le demandeur pour auteur.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from demandes.editions import blocs
from demandes.editions import pdf as editions
from demandes.editions.views import rendre_edition
from demandes.pieces.forms import DepotPieceForm
from demandes.pieces.selectors import contexte_pieces
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_liste
from fdls.socle.formulaires import reporter_erreurs
from portail.vues import demandeur_requis, ma_demande

from . import selectors, services
from .forms import CoordonneesForm, PeriodeForm

PAR_PAGE = 50


def _page(request, demande, rubrique: str, gabarit: str, contexte: dict | None = None, status: int = 200):
    contexte = {"demande": demande, "rubrique": rubrique, **(contexte or {})}
    return render(request, f"portail/espace/{gabarit}", contexte, status=status)


@demandeur_requis
def espace(request):
    """« Mon espace » : les demandes du demandeur connecté, et elles seules."""
    demandes = selectors.mes_demandes(request.user)
    journaliser_liste(user=request.user, objets=demandes, action=Consultation.Action.LISTE, request=request)
    return render(request, "portail/espace.html", {"demandes": demandes})


@demandeur_requis
def demande(request, pk):
    """Accueil d'une demande : numéro, état, dates, renouvellement, derniers événements, pièces à fournir."""
    d = ma_demande(request, pk, "guichet")
    return _page(
        request,
        d,
        "accueil",
        "demande.html",
        {
            "renouvellement": selectors.renouvellement(d),
            "evenements": selectors.derniers_evenements(d),
            "manquantes": selectors.pieces_a_fournir(d),
        },
    )


@demandeur_requis
def dossier(request, pk):
    """Les données déclarées, présentées comme la fiche récapitulative."""
    d = ma_demande(request, pk, "guichet__commune", "guichet__organisme")
    # Contacts, positionnements, propositions et visites : lus ici comme pour le PDF (pas de fragment des agents).
    contexte = {**editions.donnees_fiche(d), "instruction": blocs.instruction_de(d)}
    return _page(request, d, "dossier", "dossier.html", contexte)


@require_http_methods(["GET", "POST"])
@demandeur_requis
def modifier(request, pk):
    d = ma_demande(request, pk)
    form = CoordonneesForm(request.POST or None, instance=d)
    if request.method == "POST" and form.is_valid():
        valeurs = {champ: form.cleaned_data[champ] for champ in services.CHAMPS_COORDONNEES}
        try:
            changements = services.modifier_coordonnees(demande=d, user=request.user, valeurs=valeurs)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            if changements:
                messages.success(request, "Vos coordonnées sont enregistrées ; le changement figure dans l'historique.")
            else:
                messages.info(request, "Aucun changement : vos coordonnées étaient déjà celles-ci.")
            return redirect("portail:dossier", d.pk)
    return _page(request, d, "dossier", "modifier.html", {"form": form}, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@demandeur_requis
def renouveler(request, pk):
    """La page du lien « Renouveler » (courriel compris) : un bouton ; seul le POST renouvelle."""
    d = ma_demande(request, pk)
    erreur = ""
    if request.method == "POST":
        try:
            d = services.renouveler_en_ligne(demande=d, user=request.user)
        except ValidationError as refus:
            erreur = " ".join(refus.messages)
        else:
            messages.success(
                request, f"Votre demande est renouvelée : elle est valable jusqu'au {d.date_expiration:%d/%m/%Y}."
            )
            return redirect("portail:demande", d.pk)
    contexte = {"renouvellement": selectors.renouvellement(d), "erreur": erreur}
    return _page(request, d, "accueil", "renouveler.html", contexte, status=422 if erreur else 200)


@demandeur_requis
def historique(request, pk):
    """Historique des événements ; période par défaut : les douze derniers mois (seed 000)."""
    d = ma_demande(request, pk)
    aujourd_hui = timezone.localdate()
    du, au = aujourd_hui - timedelta(days=365), aujourd_hui
    filtre = "du" in request.GET or "au" in request.GET
    form = PeriodeForm(request.GET if filtre else None, initial={"du": du, "au": au})
    evenements = []
    if not filtre or form.is_valid():
        if filtre:
            du, au = form.cleaned_data["du"], form.cleaned_data["au"]
        evenements = selectors.historique(d, du=du, au=au)
    page = Paginator(evenements, PAR_PAGE).get_page(request.GET.get("page"))
    debut = f"{du:%d/%m/%Y}" if du else "l'origine"
    fin = f"{au:%d/%m/%Y}" if au else "aujourd'hui"
    contexte = {"form": form, "page": page, "legende": f"Événements du {debut} au {fin}"}
    return _page(request, d, "historique", "historique.html", contexte, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@demandeur_requis
def documents(request, pk):
    """Pièces du dossier (valides, obsolètes), pièces à fournir, dépôt d'une pièce."""
    d = ma_demande(request, pk)
    form = None
    if request.method == "POST":
        form = DepotPieceForm(request.POST, request.FILES, demande=d)
        if form.is_valid():
            try:
                piece = services.deposer_document(
                    demande=d,
                    user=request.user,
                    type=form.cleaned_data["type"],
                    fichier=form.cleaned_data["fichier"],
                    personne=form.cleaned_data["personne"],
                )
            except ValidationError as erreur:
                reporter_erreurs(form, erreur)
            else:
                messages.success(request, f"Pièce « {piece.get_type_display()} » ajoutée à votre dossier.")
                return redirect("portail:documents", d.pk)
    contexte = contexte_pieces(request.user, d, modifiable=True, instruisible=True, form_depot=form)
    return _page(
        request, d, "documents", "documents.html", contexte, status=422 if form is not None and form.errors else 200
    )


@demandeur_requis
def consultations(request, pk):
    d = ma_demande(request, pk)
    page = Paginator(selectors.consultations(d), PAR_PAGE).get_page(request.GET.get("page"))
    return _page(request, d, "consultations", "consultations.html", {"page": page})


def _edition(request, pk, edition: str):
    d = ma_demande(request, pk, *editions.SELECT_EDITION, action=Consultation.Action.PDF)
    return rendre_edition(request, d, edition, retour="portail:demande")


@demandeur_requis
def attestation_pdf(request, pk):
    return _edition(request, pk, "attestation")


@demandeur_requis
def fiche_pdf(request, pk):
    return _edition(request, pk, "synthese")
