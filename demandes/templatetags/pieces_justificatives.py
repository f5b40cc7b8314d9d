"""Bloc « Pièces » de la fiche d'une demande : ``{% contexte_pieces as p %}`` puis le gabarit
``demandes/pieces/_fiche.html`` (la vue de la fiche n'a rien à préparer)."""

from django import template

from demandes.pieces import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def contexte_pieces(context):
    """Pièces, pièces manquantes et formulaires de la demande affichée (``demande``, ``modifiable``,
    ``instruisible``)."""
    return selectors.contexte_pieces(
        context["request"].user,
        context["demande"],
        modifiable=context.get("modifiable"),
        instruisible=context.get("instruisible"),
        personnes=context.get("personnes"),
    )
