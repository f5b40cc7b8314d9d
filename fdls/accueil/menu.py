"""Le menu principal des agents, calculé en un seul endroit depuis la politique d'accès.

Une rubrique n'y figure que si l'agent peut s'en servir (``fdls.acces``, ou la
condition qu'une application métier enregistre dans ``fdls.socle.menu``) et si
son écran existe : les rubriques encore sans écran métier (instruction,
statistiques, éditions : ``fdls.accueil.views.RUBRIQUES``) restent joignables
par leur adresse mais ne sont pas proposées. Une rubrique qui devient réelle
s'ajoute à ``RUBRIQUES_MENU`` avec sa condition d'accès.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from fdls import acces
from fdls.socle import menu as conditions_menu


def _agent(user) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_agent", False))


@dataclass(frozen=True)
class Rubrique:
    titre: str
    section: str
    route: str
    condition: Callable[[object], bool]
    args: tuple = ()


RUBRIQUES_MENU = (
    Rubrique("Demande", "demande", "demandes:liste", acces.voit_nominatif),
    Rubrique("Offre", "offre", "socle:section", acces.voit_statistiques, ("offre",)),
    Rubrique("Statistiques", "statistiques", "observatoire:accueil", acces.voit_statistiques),
    Rubrique("Gestion", "gestion", "organismes:liste", _agent),
    Rubrique("Instruction", "instruction", "instruction:accueil", partial(conditions_menu.permise, "instruction")),
    Rubrique("Commissions", "commissions", "instruction:commissions", partial(conditions_menu.permise, "commissions")),
    Rubrique("Cotation", "cotation", "cotation:grilles", partial(conditions_menu.permise, "cotation")),
    Rubrique("Administration", "administration", "socle:administration", acces.administre),
)


def menu_principal(user) -> list[dict]:
    """Les rubriques que ``user`` peut utiliser, dans l'ordre du menu (``section`` marque la courante)."""
    return [
        {"titre": r.titre, "section": r.section, "url": reverse(r.route, args=r.args)}
        for r in RUBRIQUES_MENU
        if r.condition(user)
    ]


def navigation(request) -> dict:
    """Processeur de contexte : ``menu_principal``, calculé au premier usage par le gabarit.

    Vide pour un demandeur, un anonyme, ou un agent avant son second facteur.
    """
    user = getattr(request, "user", None)
    if user is None or not _agent(user):
        return {"menu_principal": []}
    if settings.FDLS_DOUBLE_FACTEUR_AGENTS and not getattr(user, "is_verified", lambda: False)():
        return {"menu_principal": []}
    return {"menu_principal": SimpleLazyObject(partial(menu_principal, user))}
