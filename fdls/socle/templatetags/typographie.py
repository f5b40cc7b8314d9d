"""Filtres de typographie française, disponibles dans tous les gabarits sans ``{% load %}``.

``{{ demande.numero_unique|nu }}``, ``{{ points|nombre }}``, ``{{ loyer|nombre:2 }}``,
``{{ erreurs|pluriel:"ligne en erreur" }}`` ou ``{{ n|pluriel:"cheval,chevaux" }}`` (fdls/socle/typographie.py).
"""

from django import template

from fdls.socle import typographie

register = template.Library()


@register.filter
def nu(valeur) -> str:
    return typographie.formater_nu(valeur)


@register.filter
def nu_dans_texte(texte) -> str:
    return typographie.formater_nu_dans_texte(str(texte or ""))


@register.filter
def nombre(valeur, decimales=None) -> str:
    return typographie.nombre(valeur, None if decimales in (None, "") else int(decimales))


@register.filter
def pluriel(valeur, formes: str) -> str:
    singulier, _, forme_plurielle = formes.partition(",")
    return typographie.pluriel(valeur, singulier, forme_plurielle or None)


@register.filter
def accord(valeur, suffixes: str = "s") -> str:
    """Comme ``pluralize``, à la française : 0 et 1 au singulier (``{{ n }} ligne{{ n|accord }}``)."""
    singulier, virgule, forme_plurielle = suffixes.partition(",")
    if not virgule:
        singulier, forme_plurielle = "", suffixes
    try:
        n = abs(float(len(valeur) if hasattr(valeur, "__len__") and not isinstance(valeur, str) else valeur))
    except (TypeError, ValueError):
        return ""
    return singulier if n < 2 else forme_plurielle
