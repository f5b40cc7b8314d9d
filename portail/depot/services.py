"""Dépôt en ligne par le demandeur : brouillon gardé sur le serveur, pièce d'identité, dépôt dans la file du
guichet accompagnateur (``demandes.en_ligne.services.deposer_en_ligne``), le demandeur pour auteur.

Le guichet est celui qui reçoit les demandes en ligne de la première commune souhaitée
(``en_ligne.guichet_destinataire``) ; la demande est rattachée au compte dès le brouillon.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from demandes.cycle import services as cycle
from demandes.dossier import choix
from demandes.dossier.models import Demande
from demandes.dossier.saisie import Dossier, charger_dossier
from demandes.en_ligne import services as en_ligne
from demandes.pieces import services as pieces
from fdls.organismes.models import Guichet
from fdls.socle.workflow import Auteur

MESSAGE_SANS_GUICHET = (
    "Indiquez d'abord votre première commune souhaitée (rubrique « Localisations souhaitées ») : elle désigne le "
    "guichet qui validera votre demande."
)
MESSAGE_IDENTITE = (
    "Joignez votre pièce d'identité (carte d'identité, passeport ou titre de séjour) : elle est obligatoire."
)


def guichets_en_ligne() -> list[Guichet]:
    return list(
        Guichet.objects.filter(type=Guichet.Type.ACCOMPAGNATEUR, actif=True, organisme__actif=True)
        .select_related("commune")
        .order_by("nom")
    )


def sauver_brouillon_en_ligne(dossier: Dossier, *, user) -> Demande:
    d = dossier.demande
    d.compte_demandeur = user
    d.canal = choix.Canal.EN_LIGNE
    guichet = d.guichet if d.guichet_id else None
    if dossier.localisations and dossier.localisations[0].commune_id:
        guichet = en_ligne.guichet_destinataire(dossier.localisations[0].commune) or guichet
    if guichet is None:
        raise ValidationError({"localisations": [MESSAGE_SANS_GUICHET]})
    return cycle.sauver_brouillon(dossier, auteur=Auteur.demandeur(user), guichet=guichet)


def deposer(dossier: Dossier, *, user, piece_identite=None) -> Demande:
    """Garde le brouillon, joint la pièce d'identité, puis dépose : brouillon → à valider par le guichet.

    Un dossier incomplet lève ``ValidationError`` (par champ) ; le brouillon et la pièce restent gardés."""
    demande = sauver_brouillon_en_ligne(dossier, user=user)
    auteur = Auteur.demandeur(user)
    if piece_identite:
        pieces.deposer_piece(demande=demande, type=choix.TypePiece.IDENTITE, fichier=piece_identite, auteur=auteur)
    if not pieces.a_piece_identite(demande):
        raise ValidationError({"piece_identite": [MESSAGE_IDENTITE]})
    return en_ligne.deposer_en_ligne(charger_dossier(demande), auteur=auteur)
