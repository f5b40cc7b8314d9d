"""Compteurs des demandes montrés sur les pages d'accueil des agents (enregistrés dans ``fdls.socle.compteurs``).

Seulement pour les rôles nominatifs, à travers la politique d'accès
(``Demande.objects.visibles_par``) ; ``demandes/apps.py`` les enregistre.
"""

from demandes.models import Demande
from fdls import acces


def compteurs_accueil(user) -> dict:
    """Demandes actives visibles et brouillons des guichets de l'organisme de l'agent."""
    if not acces.voit_nominatif(user):
        return {}
    visibles = Demande.objects.visibles_par(user)
    return {
        "demandes_actives": visibles.actives().count(),
        "brouillons_organisme": visibles.filter(
            etat=Demande.Etat.BROUILLON, guichet__organisme=user.organisme_id
        ).count(),
    }


def compteurs_instruction(user) -> dict:
    """Demandes actives visibles (rubrique « Instruction »)."""
    if not acces.voit_nominatif(user):
        return {}
    return {"demandes_actives": Demande.objects.visibles_par(user).actives().count()}
