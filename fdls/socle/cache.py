"""Cache par processus, daté, vidé à chaque écriture des modèles dont il dépend.

Pour les référentiels rarement modifiés que chaque requête relit (paramètres
réglementaires, types de labels, grilles de cotation en vigueur, communes) :
une lecture en base toutes les ``duree`` secondes au plus ; toute écriture
d'un modèle suivi (``post_save``, ``post_delete``) vide le cache du processus
qui écrit, et les autres processus relisent au plus tard à l'expiration.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

# Tous les caches déclarés, par nom (les tests les vident entre deux tests).
CACHES: dict[str, CacheDate] = {}


class CacheDate:
    """Valeurs mémorisées ``duree`` secondes par processus, vidées quand un modèle suivi est écrit.

    ``modeles`` : classes de modèles ou libellés ``"app.Modele"`` (résolus par
    Django quand le modèle est chargé).
    """

    def __init__(self, nom: str, *, duree: float, modeles: Iterable[object] = ()):
        self.nom = nom
        self.duree = duree
        self._valeurs: dict[Hashable, tuple[float, object]] = {}
        for modele in modeles:
            etiquette = modele if isinstance(modele, str) else modele._meta.label
            post_save.connect(self._vider_apres_ecriture, sender=modele, dispatch_uid=f"cache_{nom}_{etiquette}")
            post_delete.connect(self._vider_apres_ecriture, sender=modele, dispatch_uid=f"cache_d_{nom}_{etiquette}")
        CACHES[nom] = self

    def lire(self, cle: Hashable, calculer: Callable[[], T]) -> T:
        """La valeur de ``cle`` si elle n'a pas expiré, sinon ``calculer()`` mémorisé."""
        maintenant = time.monotonic()
        trouve = self._valeurs.get(cle)
        if trouve is not None and trouve[0] > maintenant:
            return trouve[1]
        valeur = calculer()
        self._valeurs[cle] = (maintenant + self.duree, valeur)
        return valeur

    def vider(self) -> None:
        self._valeurs.clear()

    def _vider_apres_ecriture(self, **_kwargs) -> None:
        self.vider()


def vider_tous() -> None:
    """Vide tous les caches du processus (tests, chargement d'un référentiel)."""
    for cache in CACHES.values():
        cache.vider()
