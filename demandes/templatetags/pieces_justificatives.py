"""Bloc « Pièces » de la fiche d'une demande : ``{% contexte_pieces as p %}`` puis le gabarit
``demandes/fiche/_pieces.html`` (la vue de la fiche n'a rien à préparer)."""

from django import template

from demandes import views_pieces

register = template.Library()


@register.simple_tag(takes_context=True)
def contexte_pieces(context):
    """Pièces, pièces manquantes et formulaires de la demande affichée (``demande``, ``modifiable``)."""
    return views_pieces.contexte_pieces(
        context["request"],
        context["demande"],
        modifiable=context.get("modifiable"),
        personnes=context.get("personnes"),
    )
