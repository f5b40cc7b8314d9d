"""Ce que le demandeur change lui-même : ses coordonnées et le renouvellement, par les services des demandes,
le demandeur pour auteur ; chaque changement entre dans l'historique (``cycle.modifier_demande``)."""

from __future__ import annotations

from django.db import transaction

from demandes.cycle import forms as cycle_forms
from demandes.cycle import services as cycle
from demandes.dossier.models import Demande
from demandes.dossier.saisie import charger_dossier
from demandes.pieces import services as pieces
from fdls.socle.workflow import Auteur

#: Les champs du dossier que le demandeur corrige en ligne (les coordonnées du Cerfa) ; le reste passe par son
#: guichet. « Renouvellement par voie électronique » n'est pas un choix : il suit ses renouvellements en ligne.
CHAMPS_COORDONNEES = tuple(c for c in cycle_forms.CHAMPS_COORDONNEES if c != "renouvellement_electronique")


def modifier_coordonnees(*, demande: Demande, user, valeurs: dict) -> list[dict]:
    """Change les coordonnées du dossier ; rend les changements écrits à l'historique (vide si rien ne change)."""
    dossier = charger_dossier(demande)
    for champ in CHAMPS_COORDONNEES:
        if champ in valeurs:
            setattr(dossier.demande, champ, valeurs[champ])
    return cycle.modifier_demande(dossier, auteur=Auteur.demandeur(user))


@transaction.atomic
def renouveler_en_ligne(*, demande: Demande, user) -> Demande:
    """Renouvellement par le demandeur : la date de dépôt initial est gardée ; la demande est désormais
    « renouvelée par voie électronique » (ses rappels partent par courriel, CCH R441-2-7 2°)."""
    demande = cycle.renouveler_demande(demande, auteur=Auteur.demandeur(user))
    if not demande.renouvellement_electronique:
        Demande.objects.filter(pk=demande.pk).update(renouvellement_electronique=True)
        demande.renouvellement_electronique = True
    return demande


def deposer_document(*, demande: Demande, user, type: str, fichier, personne=None):
    return pieces.deposer_piece(
        demande=demande, type=type, fichier=fichier, auteur=Auteur.demandeur(user), personne=personne
    )
