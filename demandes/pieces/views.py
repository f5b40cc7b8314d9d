"""Écrans des pièces justificatives : onglet « Pièces » de la fiche, dépôt, obsolescence, suppression, téléchargement.

Lecture : ``Piece.objects.visibles_par(user)`` (la demande est visible) ;
écriture : dépôt parmi ``Demande.objects.instruisibles_par(user)`` (guichet
accompagnateur du territoire, ou instructeur bailleur sur une demande active :
pièces de l'instruction), obsolescence et suppression parmi
``modifiables_par(user)`` (guichet accompagnateur). Une pièce hors du périmètre répond 404 sans rien révéler et la
tentative est inscrite au journal des consultations (action « refus ») ; chaque
téléchargement y est inscrit (action « téléchargement »). Le fichier n'est
servi que par ``telecharger`` : en pièce jointe, avec son type vérifié et
``X-Content-Type-Options: nosniff``. Les écritures passent par ``pieces.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from demandes.dossier.models import Demande
from demandes.dossier.vues import demande_instruisible, demande_modifiable, demande_visible, nominatif_requis
from demandes.pieces import services as pieces
from demandes.pieces.forms import DepotPieceForm, ObsolescenceForm
from demandes.pieces.models import Piece
from demandes.pieces.selectors import contexte_pieces
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation, journaliser_refus, montrer
from fdls.socle.formulaires import reporter_erreurs
from fdls.socle.workflow import Auteur

ANCRE = "#onglet-pieces"


def _rendre_page(request, demande, status=200, **kwargs):
    contexte = {"section": "demande", "p": contexte_pieces(request.user, demande, **kwargs), "demande": demande}
    return render(request, "demandes/pieces/pieces.html", contexte, status=status)


REFUS_PIECES = "Votre organisme consulte cette demande mais ne gère pas ses pièces."


def _demande_modifiable(request, pk) -> Demande:
    return demande_modifiable(request, pk, refus=REFUS_PIECES)


def piece_visible(request, demande_pk: int, piece_pk: int) -> Piece:
    """La pièce si l'agent voit sa demande ; sinon 404, et la tentative est journalisée si la pièce existe."""
    base = Piece.objects.select_related("demande")
    piece = base.visibles_par(request.user).filter(pk=piece_pk, demande_id=demande_pk).first()
    if piece is None:
        existante = base.filter(pk=piece_pk, demande_id=demande_pk).first()
        if existante is not None:
            journaliser_refus(request, existante)
        raise Http404("Pièce introuvable.")
    # La pièce montre le dossier : la demande a sa ligne au journal, comme la pièce.
    montrer(request, [piece.demande])
    return piece


# ---------------------------------------------------------------- vues


@nominatif_requis
def liste(request, pk):
    """GET : la page des pièces (celle de la fiche, seule) ; POST : dépôt d'une pièce."""
    if request.method != "POST":
        demande = demande_visible(request, pk)
        return _rendre_page(request, demande)
    demande = demande_instruisible(request, pk, refus=REFUS_PIECES)
    form = DepotPieceForm(request.POST, request.FILES, demande=demande)
    if form.is_valid():
        try:
            piece = pieces.deposer_piece(
                demande=demande,
                type=form.cleaned_data["type"],
                personne=form.cleaned_data["personne"],
                fichier=form.cleaned_data["fichier"],
                auteur=Auteur.agent(request.user),
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, f"Pièce ajoutée au dossier : {piece.get_type_display()}.")
            return redirect(reverse("demandes:detail", args=[pk]) + ANCRE)
    if form.errors and "fichier" not in form.errors and request.FILES:
        form.add_error("fichier", "Pour votre sécurité, le fichier n'est pas conservé : choisissez-le à nouveau.")
    return _rendre_page(request, demande, status=422, form_depot=form)


@nominatif_requis
def telecharger(request, pk, piece_pk):
    piece = piece_visible(request, pk, piece_pk)
    try:
        flux = pieces.ouvrir_piece(piece)
    except pieces.PieceIntrouvable as exc:
        raise Http404("Le fichier de cette pièce est introuvable.") from exc
    journaliser_consultation(user=request.user, objet=piece, action=Consultation.Action.TELECHARGEMENT, request=request)
    return reponse_fichier(piece, flux)


def reponse_fichier(piece: Piece, flux) -> FileResponse:
    """Le fichier en pièce jointe, avec son type vérifié ; jamais interprété par le navigateur."""
    reponse = FileResponse(
        flux, as_attachment=True, filename=pieces.nom_telechargement(piece), content_type=piece.type_contenu
    )
    reponse["X-Content-Type-Options"] = "nosniff"
    reponse["Content-Security-Policy"] = "default-src 'none'; sandbox"
    reponse["Cache-Control"] = "private, no-store"
    return reponse


@require_POST
@nominatif_requis
def obsolete(request, pk, piece_pk):
    piece = piece_visible(request, pk, piece_pk)
    demande = _demande_modifiable(request, pk)
    form = ObsolescenceForm(request.POST, prefix=f"obsolete-{piece.pk}")
    if form.is_valid():
        try:
            pieces.rendre_obsolete(piece, motif=form.cleaned_data["motif"], auteur=Auteur.agent(request.user))
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, f"Pièce rendue obsolète : {piece.get_type_display()}.")
            return redirect(reverse("demandes:detail", args=[pk]) + ANCRE)
    return _rendre_page(request, demande, status=422, obsolescence=(piece.pk, form))


@require_POST
@nominatif_requis
def supprimer(request, pk, piece_pk):
    piece = piece_visible(request, pk, piece_pk)
    _demande_modifiable(request, pk)
    try:
        pieces.supprimer_piece(piece, auteur=Auteur.agent(request.user))
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, f"Pièce supprimée du dossier : {piece.get_type_display()}.")
    return redirect(reverse("demandes:detail", args=[pk]) + ANCRE)
