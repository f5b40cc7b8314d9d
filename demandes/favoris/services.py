"""Vie des recherches enregistrées (« favoris ») d'un agent : enregistrer, renommer, supprimer.

Chaque écriture est une transaction ; les erreurs sont des ``ValidationError`` par champ, en français.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict

from demandes.favoris.models import Favori
from demandes.liste.filters import DemandeFilter

# Au plus tant de recherches enregistrées par agent : l'accueil les montre toutes.
PLAFOND_FAVORIS = 30


def criteres_propres(chaine: str) -> str:
    """La chaîne de requête réduite aux critères non vides de la liste (sans la page ni le reste), dans
    l'ordre des critères du filtre."""
    donnees = QueryDict(chaine or "")
    paires = [(nom, valeur) for nom in DemandeFilter.base_filters for valeur in donnees.getlist(nom) if valeur.strip()]
    paires += [(nom, donnees[nom]) for nom in ("tri", "par_page") if donnees.get(nom, "").strip()]
    return urlencode(paires)


def _nom_libre(utilisateur, nom: str, *, sauf: int | None = None) -> str:
    nom = " ".join((nom or "").split())
    if not nom:
        raise ValidationError({"nom": "Donnez un nom à cette recherche."})
    existants = Favori.objects.filter(utilisateur=utilisateur, nom__iexact=nom)
    if sauf is not None:
        existants = existants.exclude(pk=sauf)
    if existants.exists():
        raise ValidationError({"nom": f"Vous avez déjà une recherche nommée « {nom} » : choisissez un autre nom."})
    return nom


@transaction.atomic
def enregistrer_favori(utilisateur, *, nom: str, criteres: str) -> Favori:
    propres = criteres_propres(criteres)
    if not propres:
        raise ValidationError({"nom": "Choisissez d'abord des critères de recherche à enregistrer."})
    if Favori.objects.filter(utilisateur=utilisateur).count() >= PLAFOND_FAVORIS:
        raise ValidationError(
            {"nom": f"Vous avez déjà {PLAFOND_FAVORIS} recherches enregistrées : supprimez-en une d'abord."}
        )
    return Favori.objects.create(utilisateur=utilisateur, nom=_nom_libre(utilisateur, nom), criteres=propres)


@transaction.atomic
def renommer_favori(favori: Favori, *, nom: str) -> Favori:
    favori.nom = _nom_libre(favori.utilisateur, nom, sauf=favori.pk)
    favori.save(update_fields=["nom", "modifie_le"])
    return favori


@transaction.atomic
def supprimer_favori(favori: Favori) -> None:
    favori.delete()


def favoris_de(utilisateur) -> list[Favori]:
    return list(Favori.objects.filter(utilisateur=utilisateur))
