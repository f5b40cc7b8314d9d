"""Étiquettes de gabarit de la cotation : lien de navigation vers la gestion des grilles, libellés d'état."""

import json

from django import template

from cotation import acces
from cotation.calcul.models import Grille
from cotation.grilles import services as grilles
from cotation.grilles.forms import EVENEMENTS_REFUS, PARAMETRES
from fdls.socle.typographie import nombre

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


@register.filter
def parametres_lisibles(parametres) -> list[str]:
    """Les paramètres d'un critère en français (« Labels qui donnent les points : DALO, … »), jamais en JSON."""
    lignes = []
    for cle, valeur in (parametres or {}).items():
        libelle = PARAMETRES.get(cle, (cle, ""))[0]
        codes = grilles.codes_admis(cle)
        if codes is not None and isinstance(valeur, list):
            texte = ", ".join(codes.get(v, v) for v in valeur)
        elif cle == "evenement":
            texte = dict(EVENEMENTS_REFUS).get(valeur, valeur)
        elif isinstance(valeur, bool):
            texte = "oui" if valeur else "non"
        else:
            texte = nombre(valeur)
        lignes.append(f"{libelle} : {texte}")
    return lignes
