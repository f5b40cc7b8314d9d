"""Filtres de la liste des demandes : ancienneté lisible, typologies courtes, lien vers la fiche avec les critères."""

from django import template
from django.utils import timezone

from demandes.dossier import calculs
from demandes.liste.navigation import lien_fiche

register = template.Library()


@register.filter
def anciennete(date_depot) -> str:
    """« 2 ans 3 mois », « 5 mois », « moins d'un mois » depuis le dépôt ; « — » sans dépôt."""
    mois = calculs.anciennete_mois(date_depot, timezone.localdate())
    if mois is None:
        return "—"
    ans, reste = divmod(mois, 12)
    morceaux = []
    if ans:
        morceaux.append(f"{ans} an{'s' if ans > 1 else ''}")
    if reste:
        morceaux.append(f"{reste} mois")
    return " ".join(morceaux) or "moins d'un mois"


@register.filter
def typologies_courtes(typologies) -> str:
    """``["T2", "T3"]`` → « T2, T3 » ; la chambre en colocation : « Chambre » ; « — » si aucune."""
    libelles = ["Chambre" if t == "chambre" else ("T6 et +" if t == "T6" else t) for t in typologies or []]
    return ", ".join(libelles) or "—"


@register.simple_tag
def fiche(pk, liste) -> str:
    """Adresse de la fiche ``pk`` ouverte depuis la liste dont ``liste`` est la chaîne de requête."""
    return lien_fiche(pk, liste)
