"""Lectures de l'espace personnel : résumé d'une demande, historique filtré, consultations du dossier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Q
from django.utils import timezone

from demandes.dossier.models import Demande
from demandes.dossier.saisie import renouvelable_a_partir_du
from demandes.doublons.services import evenements_du_dossier
from demandes.pieces import services as pieces
from demandes.pieces.models import Piece
from fdls.audit.models import Consultation

DERNIERS_EVENEMENTS = 5
TAILLE_CONSULTATIONS = 200


def mes_demandes(user) -> list[Demande]:
    return list(
        Demande.objects.visibles_par(user)
        .filter(purgee_le__isnull=True)
        .select_related("guichet")
        .order_by("-date_depot", "-created_at")
    )


@dataclass
class Renouvellement:
    possible: bool  # le bouton « Renouveler » est montré
    a_partir_du: date | None
    avant_le: date | None


def renouvellement(demande: Demande, le: date | None = None) -> Renouvellement:
    """Le renouvellement se fait dans le préavis avant l'échéance, pour une demande active (CCH R441-2-7)."""
    le = le or timezone.localdate()
    debut = renouvelable_a_partir_du(demande) if demande.etat == Demande.Etat.ACTIVE else None
    possible = debut is not None and debut <= le and demande.date_expiration is not None
    return Renouvellement(possible=possible, a_partir_du=debut, avant_le=demande.date_expiration)


def derniers_evenements(demande: Demande, nombre: int = DERNIERS_EVENEMENTS) -> list:
    return list(evenements_du_dossier(demande)[:nombre])


def pieces_a_fournir(demande: Demande) -> list[pieces.PieceAttendue]:
    return pieces.pieces_manquantes(demande)


def historique(demande: Demande, *, du: date | None = None, au: date | None = None):
    """Événements du dossier (fusions comprises) de la période, jours ``du`` et ``au`` compris."""
    evenements = evenements_du_dossier(demande)
    zone = timezone.get_current_timezone()
    if du:
        evenements = evenements.filter(date__gte=datetime.combine(du, time.min, tzinfo=zone))
    if au:
        evenements = evenements.filter(date__lte=datetime.combine(au, time.max, tzinfo=zone))
    return evenements


def consultations(demande: Demande):
    """Lectures du dossier par les organismes partenaires (fiche, PDF, liste, API, pièces) : organisme, date,
    action. Les noms des agents ne sont pas montrés au demandeur ; ses propres lectures non plus."""
    pieces_ids = [str(pk) for pk in Piece.objects.filter(demande=demande).values_list("pk", flat=True)]
    objets = Q(objet_type="demandes.demande", objet_id=str(demande.pk))
    if pieces_ids:
        objets |= Q(objet_type="demandes.piece", objet_id__in=pieces_ids)
    return (
        Consultation.objects.filter(objets, organisme__isnull=False)
        .exclude(action=Consultation.Action.REFUS)
        .select_related("organisme")
        .only("created_at", "action", "objet_type", "organisme__nom")
        .order_by("-created_at", "-id")
    )
