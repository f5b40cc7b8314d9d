"""Ce que montre le bloc « Pièces » : partagé par l'onglet de la fiche (étiquette ``contexte_pieces``) et la page
des pièces."""

from __future__ import annotations

from demandes.dossier.models import Demande, Personne
from demandes.pieces import services as pieces
from demandes.pieces.forms import DepotPieceForm, ObsolescenceForm
from demandes.pieces.models import Piece


def contexte_pieces(
    user,
    demande: Demande,
    *,
    modifiable: bool | None = None,
    instruisible: bool | None = None,
    personnes: list[Personne] | None = None,
    form_depot: DepotPieceForm | None = None,
    obsolescence: tuple[int, ObsolescenceForm] | None = None,
) -> dict:
    """Ce que montre le bloc « Pièces » : pièces, pièces manquantes, formulaires.

    ``modifiable`` (guichet accompagnateur) : déposer, rendre obsolète, supprimer ; ``instruisible`` (guichet, ou
    instructeur bailleur) : déposer les pièces de l'instruction."""
    if modifiable is None:
        modifiable = Demande.objects.modifiables_par(user).filter(pk=demande.pk).exists()
    if instruisible is None:
        instruisible = modifiable or Demande.objects.instruisibles_par(user).filter(pk=demande.pk).exists()
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
    deposable = instruisible and demande.etat == Demande.Etat.ACTIVE
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
        "close": demande.etat not in pieces.ETATS_AVEC_PIECES,
        "modifiable": modifiable,
        "instruisible": instruisible,
        "form_depot": form_depot or (DepotPieceForm(demande=demande) if deposable else None),
        "taille_max": pieces.taille_lisible(pieces.taille_max()),
    }
