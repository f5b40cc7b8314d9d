"""Verrouillage après échecs répétés (django-axes) : compté par compte, pas par écriture de l'adresse.

La connexion retrouve le compte sans tenir compte de la casse (``get_by_natural_key`` en ``iexact``) et le
formulaire ôte les espaces autour de l'adresse : sans clé canonique, ``Sec@x.fr`` et ``sec@x.fr `` auraient
chacune leurs cinq essais. Les trois formulaires de connexion (agents, portail des demandeurs, administration
Django) passent par axes, qui lit cette clé (``AXES_USERNAME_CALLABLE``).
"""

from django.conf import settings

from fdls.comptes.models import Utilisateur


def identifiant_canonique(request, credentials=None) -> str:
    """Adresse du compte visé telle qu'enregistrée, sinon la saisie sans espaces et en minuscules."""
    champ = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        saisie = credentials.get(champ)
    else:
        donnees = getattr(request, "data", None) or getattr(request, "POST", {})
        saisie = donnees.get(champ)
    saisie = str(saisie or "").strip()
    if not saisie:
        return ""
    enregistree = Utilisateur.objects.filter(email__iexact=saisie).values_list("email", flat=True).first()
    return (enregistree or saisie).lower()
