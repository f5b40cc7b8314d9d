"""Étiquettes de gabarit de la cotation : lien de navigation vers la gestion des grilles, libellés d'état."""

import json

from django import template

from cotation import acces
from cotation.calcul.models import Grille

register = template.Library()


@register.filter
def gere_grilles(user) -> bool:
    """``{% if user|gere_grilles %}`` : l'agent gère-t-il les grilles d'un territoire (menu principal) ?"""
    return acces.peut_gerer_grilles(user)


@register.filter
def etat_grille(code: str) -> str:
    try:
        return Grille.Etat(code).label
    except ValueError:
        return code or "—"


@register.filter
def en_json(valeur) -> str:
    """Paramètres d'un critère tels qu'on les saisit (JSON, accents lisibles)."""
    return json.dumps(valeur, ensure_ascii=False)
