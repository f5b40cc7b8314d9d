"""Petits graphiques SVG calculés côté serveur (barres, courbe) : mêmes dessins à l'écran et dans les PDF.

Aucune bibliothèque ni script : la géométrie est calculée ici, le gabarit
``observatoire/graphiques/graphique.svg`` la trace. Chaque graphique porte un titre et une description
(``role="img"``), et les écrans montrent le tableau de ses valeurs à côté (alternative textuelle, RGAA).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

LARGEUR = 640
HAUTEUR = 240
MARGE_GAUCHE = 56
MARGE_BAS = 44
MARGE_HAUT = 16
COULEUR = "#1f5fa8"


@dataclass
class Graphique:
    titre: str
    description: str
    largeur: int = LARGEUR
    hauteur: int = HAUTEUR
    barres: list[dict] = field(default_factory=list)
    points: str = ""
    graduations: list[dict] = field(default_factory=list)
    etiquettes: list[dict] = field(default_factory=list)
    couleur: str = COULEUR
    base: int = HAUTEUR - MARGE_BAS
    gauche: int = MARGE_GAUCHE
    gauche_texte: int = MARGE_GAUCHE - 6
    base_texte: int = HAUTEUR - MARGE_BAS + 16


def _echelle(maximum: float) -> float:
    """Un maximum « rond » (1, 2, 5 × 10ⁿ) au-dessus de la plus grande valeur."""
    if maximum <= 0:
        return 1
    puissance = 10 ** (len(str(int(maximum))) - 1)
    for facteur in (1, 2, 5, 10):
        if facteur * puissance >= maximum:
            return facteur * puissance
    return 10 * puissance


def _nombre(v) -> str:
    if isinstance(v, float | Decimal) and v != int(v):
        return f"{v:.1f}".replace(".", ",")
    return f"{int(v):,}".replace(",", "\u202f")


def _c(valeur: float) -> str:
    """Une coordonnée SVG, toujours au point décimal (le gabarit ne la localise pas en « 12,5 »)."""
    return f"{valeur:.1f}"


def _graduations(g: Graphique, haut: float) -> None:
    utile = g.base - MARGE_HAUT
    for i in range(5):
        valeur = haut * i / 4
        y = g.base - utile * i / 4
        g.graduations.append({"y": _c(y), "texte": _nombre(valeur)})


def barres(titre: str, valeurs: list[tuple[str, float | int | None]]) -> Graphique:
    """Une barre par libellé (les valeurs absentes ou masquées ne sont pas tracées)."""
    nombres = [float(v) for _, v in valeurs if v is not None]
    haut = _echelle(max(nombres, default=0))
    g = Graphique(titre, "; ".join(f"{lib} : {'–' if v is None else _nombre(v)}" for lib, v in valeurs))
    _graduations(g, haut)
    pas = (LARGEUR - MARGE_GAUCHE - 8) / max(len(valeurs), 1)
    utile = g.base - MARGE_HAUT
    for i, (libelle, v) in enumerate(valeurs):
        x = MARGE_GAUCHE + i * pas + pas * 0.15
        hauteur = 0 if v is None else utile * float(v) / haut
        g.barres.append(
            {
                "x": _c(x),
                "y": _c(g.base - hauteur),
                "largeur": _c(pas * 0.7),
                "hauteur": _c(hauteur),
                "valeur": "" if v is None else _nombre(v),
            }
        )
        g.etiquettes.append({"x": _c(x + pas * 0.35), "texte": libelle[: max(4, int(pas / 6.2))]})
    return g


def courbe(titre: str, valeurs: list[tuple[str, float | int | None]], *, etiquettes_tous_les: int = 7) -> Graphique:
    """Une courbe (séries par jour) ; une étiquette d'abscisse tous les ``etiquettes_tous_les`` points."""
    nombres = [float(v) for _, v in valeurs if v is not None]
    haut = _echelle(max(nombres, default=0))
    resume = f"{len(valeurs)} points, de {_nombre(min(nombres, default=0))} à {_nombre(max(nombres, default=0))}"
    g = Graphique(titre, resume)
    _graduations(g, haut)
    pas = (LARGEUR - MARGE_GAUCHE - 16) / max(len(valeurs) - 1, 1)
    utile = g.base - MARGE_HAUT
    points = []
    for i, (libelle, v) in enumerate(valeurs):
        x = MARGE_GAUCHE + i * pas
        if v is not None:
            points.append(f"{x:.1f},{g.base - utile * float(v) / haut:.1f}")
        if i % etiquettes_tous_les == 0:
            g.etiquettes.append({"x": _c(x), "texte": libelle[:5]})
    g.points = " ".join(points)
    return g
