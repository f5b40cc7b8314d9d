"""Conditions d'accès aux rubriques du menu que les applications métier enregistrent au démarrage.

Le menu principal est calculé en un seul endroit (``fdls.accueil.menu``) ;
``fdls`` n'important aucune application métier, une rubrique dont le droit
se lit dans une application du dessus (la cotation : qui gère des grilles)
y est branchée par cette application, dans son ``AppConfig.ready``. Sans
condition enregistrée, la rubrique n'est pas montrée.
"""

from __future__ import annotations

from collections.abc import Callable

Condition = Callable[[object], bool]

#: Condition d'accès par rubrique (``section``) du menu.
CONDITIONS: dict[str, Condition] = {}


def enregistrer_condition(section: str, condition: Condition) -> None:
    """``condition(user) -> bool`` dit si ``user`` peut utiliser la rubrique ``section``."""
    CONDITIONS[section] = condition


def permise(section: str, user) -> bool:
    condition = CONDITIONS.get(section)
    return bool(condition is not None and condition(user))
