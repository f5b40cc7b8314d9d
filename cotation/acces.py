"""Qui gère les grilles de cotation (docs/acces.md, docs/cotation.md).

- le gestionnaire du fichier (``fdls.acces.administre``) gère les grilles de
  tous les territoires ;
- l'administrateur d'un organisme de type « EPCI » gère les grilles de son
  EPCI, reconnu à son SIREN (celui de l'organisme est celui de l'EPCI) ;
- les autres agents lisent le livret des grilles adoptées (information
  publique) et la cotation des demandes qu'ils voient, jamais les brouillons.

La cotation d'une demande suit exactement la règle de la fiche de la demande
(``Demande.objects.visibles_par``) : ce module ne s'en occupe pas.
"""

from __future__ import annotations

from django.db.models import QuerySet

from fdls import acces
from fdls.organismes.models import Organisme
from fdls.territoires.models import Epci

from .calcul.models import Grille


def _siren_epci_administre(user) -> str | None:
    """SIREN de l'EPCI dont ``user`` est administrateur (organisme de type EPCI), sinon None."""
    if not (user and user.is_authenticated and user.is_active and getattr(user, "is_agent", False)):
        return None
    if not user.a_role("administrateur"):
        return None
    organisme = user.organisme
    if organisme is None or organisme.type != Organisme.Type.EPCI or not organisme.actif or not organisme.siren:
        return None
    return organisme.siren


def peut_gerer_grilles(user, epci=None) -> bool:
    """``user`` gère-t-il les grilles de ``epci`` (objet ou SIREN) — ou, sans ``epci``, celles d'un territoire ?"""
    if acces.administre(user):
        return True
    siren = _siren_epci_administre(user)
    if siren is None:
        return False
    if epci is None:
        return Epci.objects.filter(pk=siren).exists()
    return getattr(epci, "pk", epci) == siren


def epcis_geres(user) -> QuerySet:
    """EPCI dont ``user`` gère les grilles (tous pour le gestionnaire du fichier)."""
    if acces.administre(user):
        return Epci.objects.all()
    siren = _siren_epci_administre(user)
    return Epci.objects.filter(pk=siren) if siren else Epci.objects.none()


def grilles_gerables(user) -> QuerySet:
    if acces.administre(user):
        return Grille.objects.all()
    siren = _siren_epci_administre(user)
    return Grille.objects.filter(epci_id=siren) if siren else Grille.objects.none()


def grilles_lisibles(user) -> QuerySet:
    """Grilles dont le contenu est lisible : toutes celles adoptées (programmées, en vigueur, archivées) et les
    brouillons des territoires que ``user`` gère. Le livret d'une grille adoptée est public."""
    adoptees = Grille.objects.exclude(etat=Grille.Etat.BROUILLON)
    if acces.administre(user):
        return Grille.objects.all()
    siren = _siren_epci_administre(user)
    if siren:
        return adoptees | Grille.objects.filter(epci_id=siren)
    return adoptees


def peut_lire_grille(user, grille: Grille) -> bool:
    return grille.etat != Grille.Etat.BROUILLON or peut_gerer_grilles(user, grille.epci_id)
