"""Filtre des cases des tableaux de l'observatoire (un filtre plutôt qu'un gabarit inclus par case)."""

from django import template
from django.utils.html import format_html

from fdls.socle.typographie import nombre

register = template.Library()


@register.filter
def case(valeur) -> str:
    """Une case : « – » (sans objet ou masquée par le secret), oui / non, ou le nombre à la française."""
    if valeur is None:
        return format_html('<abbr title="{}">–</abbr>', "sans objet ou masqué")
    if valeur is True:
        return "oui"
    if valeur is False:
        return "non"
    return nombre(valeur)
