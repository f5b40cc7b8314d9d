"""Compteurs des demandes montrés sur les pages d'accueil des agents (enregistrés dans ``fdls.socle.compteurs``).

Seulement pour les rôles nominatifs, à travers la politique d'accès
(``Demande.objects.visibles_par``) ; ``demandes/apps.py`` les enregistre.

``file_de_travail`` : la file de travail de l'accueil (rubrique « file ») ;
chaque entrée compte des demandes et mène à la liste filtrée sur exactement
ces demandes (mêmes critères que ``demandes.liste.filters.DemandeFilter``).
"""

from calendar import monthrange
from datetime import date
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from demandes.doublons.services import demandes_suspectes
from demandes.favoris.services import favoris_de
from demandes.liste.filters import ATraiter
from demandes.models import Demande
from demandes.pieces.services import sans_piece_identite
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


def _entree(ordre: int, libelle: str, aide: str, nombre: int, criteres: dict) -> dict:
    return {
        "ordre": ordre,
        "libelle": libelle,
        "aide": aide,
        "nombre": nombre,
        "url": f"{reverse('demandes:liste')}?{urlencode(criteres)}",
    }


def mois_en_cours(le: date) -> tuple[date, date]:
    return le.replace(day=1), le.replace(day=monthrange(le.year, le.month)[1])


def file_de_travail(user, le: date | None = None) -> dict:
    """La file de travail des demandes d'un agent qui enregistre (guichet) : dépôts en ligne à valider,
    renouvellements du mois, suspicions de doublon, brouillons et pièces manquantes de son organisme.

    Chaque nombre est celui des demandes que montre la liste ouverte par son lien (mêmes critères) ;
    rien pour un rôle qui n'enregistre pas de demandes (un bailleur instructeur voit ses vacances,
    ``offre.compteurs``)."""
    if not (acces.voit_nominatif(user) and acces.enregistre(user)):
        return {}
    le = le or timezone.localdate()
    visibles = Demande.objects.visibles_par(user)
    debut, fin = mois_en_cours(le)
    mois = date_format(le, "F Y")
    return {
        "a_valider": _entree(
            1,
            "Demandes en ligne à valider",
            "déposées par les demandeurs, en attente du contrôle d'identité",
            visibles.filter(etat=Demande.Etat.A_VALIDER).count(),
            {"etat": Demande.Etat.A_VALIDER},
        ),
        "renouvellements": _entree(
            2,
            f"Renouvellements à faire en {mois}",
            "demandes actives dont la date de renouvellement tombe ce mois-ci",
            visibles.actives().filter(date_expiration__range=(debut, fin)).count(),
            {"expiration_du": debut.strftime("%d/%m/%Y"), "expiration_au": fin.strftime("%d/%m/%Y")},
        ),
        "doublons": _entree(
            3,
            "Suspicions de doublon à traiter",
            "demandes qui ressemblent à une autre : fusionner ou déclarer distinctes",
            visibles.filter(pk__in=demandes_suspectes()).count(),
            {"a_traiter": ATraiter.DOUBLONS},
        ),
        "brouillons": _entree(
            4,
            "Brouillons de mon organisme",
            "demandes en cours de saisie, pas encore enregistrées",
            visibles.filter(etat=Demande.Etat.BROUILLON, organisme_saisie_id=user.organisme_id).count(),
            {"brouillons_organisme": "on"},
        ),
        "pieces": _entree(
            5,
            "Pièces manquantes",
            "demandes actives de mon organisme sans pièce d'identité du demandeur",
            sans_piece_identite(
                visibles.filter(etat=Demande.Etat.ACTIVE, organisme_saisie_id=user.organisme_id)
            ).count(),
            {"a_traiter": ATraiter.PIECES},
        ),
    }


def favoris_accueil(user) -> dict:
    """Les recherches enregistrées de l'agent (rubrique « favoris ») : nom et lien vers la liste."""
    if not acces.voit_nominatif(user):
        return {}
    return {
        "favoris": [
            {"nom": favori.nom, "url": reverse("demandes:ouvrir_favori", args=[favori.pk])}
            for favori in favoris_de(user)
        ],
        "gerer_favoris": reverse("demandes:favoris"),
    }
