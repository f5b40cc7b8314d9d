"""Compteurs que les applications ajoutent aux pages d'accueil des agents (registre rempli au démarrage).

``fdls`` n'importe aucune application métier : c'est chacune d'elles qui,
dans son ``AppConfig.ready``, enregistre la fonction qui rend ses compteurs
pour une rubrique (« accueil », « instruction »…), à partir de l'utilisateur.
La fonction applique elle-même la politique d'accès (rien pour un rôle qui
ne voit pas les données) et rend un dictionnaire sans nom.
"""

from __future__ import annotations

from collections.abc import Callable

Compteur = Callable[[object], dict]

#: Fonctions de compteurs par rubrique, dans l'ordre d'enregistrement.
REGISTRE: dict[str, list[Compteur]] = {}


def enregistrer(rubrique: str, fonction: Compteur) -> None:
    """Ajoute ``fonction(user) -> dict`` aux compteurs de ``rubrique`` (une fois, même appelée deux fois)."""
    fonctions = REGISTRE.setdefault(rubrique, [])
    if fonction not in fonctions:
        fonctions.append(fonction)


def lire(rubrique: str, user) -> dict:
    """Les compteurs de ``rubrique`` pour ``user``, réunis."""
    resultat: dict = {}
    for fonction in REGISTRE.get(rubrique, ()):
        resultat.update(fonction(user))
    return resultat
