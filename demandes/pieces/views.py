"""Écrans des pièces justificatives : onglet « Pièces » de la fiche, dépôt, obsolescence, suppression, téléchargement.

Lecture : ``Piece.objects.visibles_par(user)`` (la demande est visible) ;
écriture : ``Demande.objects.modifiables_par(user)`` (guichet accompagnateur
du territoire). Une pièce hors du périmètre répond 404 sans rien révéler et la
tentative est inscrite au journal des consultations (action « refus ») ; chaque
téléchargement y est inscrit (action « téléchargement »). Le fichier n'est
servi que par ``telecharger`` : en pièce jointe, avec son type vérifié et
``X-Content-Type-Options: nosniff``. Les écritures passent par ``demandes.pieces``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from demandes import choix, pieces
from demandes.models import Demande, Personne, Piece
from demandes.views import nominatif_requis
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation
from fdls.socle.formulaires import reporter_erreurs
from fdls.socle.workflow import Auteur

ANCRE = "#onglet-pieces"


# ---------------------------------------------------------------- formulaires


class DepotPieceForm(forms.Form):
    type = forms.ChoiceField(
        label="Type de pièce",
        choices=[("", "Choisissez le type de pièce")] + list(choix.TypePiece.choices),
        error_messages={
            "required": "Choisissez le type de pièce.",
            "invalid_choice": "Choisissez un type de pièce de la liste.",
        },
    )
    personne = forms.ModelChoiceField(
        label="Personne concernée",
        queryset=Personne.objects.none(),
        required=False,
        empty_label="Le dossier (ou le demandeur)",
        help_text="Pièce d'identité et avis d'imposition sans personne choisie : ceux du demandeur.",
        error_messages={"invalid_choice": "Choisissez une personne du ménage."},
    )
    fichier = forms.FileField(
        label="Fichier",
        help_text=None,
        error_messages={
            "required": "Choisissez le fichier de la pièce.",
            "empty": "Le fichier est vide : déposez le document numérisé.",
            "invalid": "Aucun fichier reçu : choisissez à nouveau le fichier.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, demande: Demande, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["personne"].queryset = Personne.objects.filter(demande=demande).order_by("rang", "id")
        self.fields["personne"].label_from_instance = lambda p: f"{p.nom.upper()} {p.prenom} ({p.get_role_display()})"
        maximum = pieces.taille_lisible(pieces.taille_max())
        self.fields["fichier"].help_text = f"PDF, JPEG ou PNG, {maximum} au plus ; le contenu du fichier est vérifié."


class ObsolescenceForm(forms.Form):
    motif = forms.CharField(
        label="Motif de l'obsolescence",
        max_length=500,
        help_text="Par exemple : avis d'imposition d'une année ancienne, pièce d'identité expirée.",
        error_messages={"required": "Indiquez pourquoi la pièce est obsolète."},
    )


# ---------------------------------------------------------------- contexte partagé (fiche et page Pièces)


def contexte_pieces(
    request,
    demande: Demande,
    *,
    modifiable: bool | None = None,
    personnes: list[Personne] | None = None,
    form_depot: DepotPieceForm | None = None,
    obsolescence: tuple[int, ObsolescenceForm] | None = None,
) -> dict:
    """Ce que montre le bloc « Pièces » : pièces, pièces manquantes, formulaires."""
    if modifiable is None:
        modifiable = Demande.objects.modifiables_par(request.user).filter(pk=demande.pk).exists()
    liste = list(
        Piece.objects.filter(demande=demande).select_related("deposee_par", "organisme", "obsolete_par", "personne")
    )
    if personnes is None:
        personnes = list(Personne.objects.filter(demande=demande).order_by("rang", "id"))
    valides = [p for p in liste if p.etat == Piece.Etat.VALIDE]
    enregistrement = pieces.pieces_manquantes(demande, pieces=valides, personnes=personnes)
    instruction = [
        a
        for a in pieces.pieces_manquantes(demande, etape=pieces.Etape.INSTRUCTION, pieces=valides, personnes=personnes)
        if (a.type, a.personne) not in {(e.type, e.personne) for e in enregistrement}
    ]
    gerable = modifiable and demande.etat == Demande.Etat.ACTIVE
    piece_en_erreur, form_erreur = obsolescence or (None, None)
    for p in liste:
        p.form_obsolescence = form_erreur if p.pk == piece_en_erreur else ObsolescenceForm(prefix=f"obsolete-{p.pk}")
    return {
        "demande": demande,
        "pieces": liste,
        "manquantes": enregistrement,
        "manquantes_obligatoires": [a for a in enregistrement if a.niveau == pieces.Niveau.OBLIGATOIRE],
        "manquantes_instruction": instruction,
        "peut_gerer": gerable,
        "modifiable": modifiable,
        "form_depot": form_depot or (DepotPieceForm(demande=demande) if gerable else None),
        "taille_max": pieces.taille_lisible(pieces.taille_max()),
    }


def _rendre_page(request, demande, status=200, **kwargs):
    contexte = {"section": "demande", "p": contexte_pieces(request, demande, **kwargs), "demande": demande}
    return render(request, "demandes/pieces.html", contexte, status=status)


def _demande_visible(request, pk) -> Demande:
    # 404 pour une demande hors du territoire : on ne révèle pas qu'elle existe.
    return get_object_or_404(Demande.objects.visibles_par(request.user), pk=pk)


def _demande_modifiable(request, pk) -> Demande:
    demande = _demande_visible(request, pk)
    if not Demande.objects.modifiables_par(request.user).filter(pk=pk).exists():
        raise PermissionDenied("Votre organisme consulte cette demande mais ne gère pas ses pièces.")
    return demande


def piece_visible(request, demande_pk: int, piece_pk: int) -> Piece:
    """La pièce si l'agent voit sa demande ; sinon 404, et la tentative est journalisée si la pièce existe."""
    base = Piece.objects.select_related("demande")
    piece = base.visibles_par(request.user).filter(pk=piece_pk, demande_id=demande_pk).first()
    if piece is None:
        existante = base.filter(pk=piece_pk, demande_id=demande_pk).first()
        if existante is not None:
            journaliser_consultation(
                user=request.user, objet=existante, action=Consultation.Action.REFUS, request=request
            )
        raise Http404("Pièce introuvable.")
    return piece


# ---------------------------------------------------------------- vues


@nominatif_requis
def liste(request, pk):
    """GET : la page des pièces (celle de la fiche, seule) ; POST : dépôt d'une pièce."""
    if request.method != "POST":
        demande = _demande_visible(request, pk)
        journaliser_consultation(
            user=request.user, objet=demande, action=Consultation.Action.CONSULTATION, request=request
        )
        return _rendre_page(request, demande)
    demande = _demande_modifiable(request, pk)
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
