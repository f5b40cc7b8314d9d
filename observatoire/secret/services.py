"""Secret statistique des tableaux diffusés hors du partenariat : masquage primaire et secondaire.

Primaire : toute case (marges comprises) dont l'effectif est strictement positif et inférieur au seuil
(``SeuilSecret`` en vigueur) est masquée. Secondaire : une case masquée ne doit pas se retrouver par
différence avec les totaux ; tant qu'une ligne ou une colonne (équation « cases = total ») n'a qu'une seule
inconnue, on masque en plus sa plus petite case non nulle encore visible (ou son total s'il n'en reste pas).
Les moyennes ne s'additionnent pas : seul le masquage primaire (sur leur effectif) s'y applique.
"""

from __future__ import annotations

from django.utils import timezone

from observatoire.croisement.tableau import TOTAL, Tableau
from observatoire.secret.models import SeuilSecret

SEUIL_PAR_DEFAUT = 11


def seuil_en_vigueur(le=None) -> int:
    le = le or timezone.localdate()
    valeur = SeuilSecret.objects.filter(date_effet__lte=le).values_list("valeur", flat=True).first()
    return valeur or SEUIL_PAR_DEFAUT


def _equations(lignes: list, colonnes: list) -> list[list[tuple]]:
    """Chaque équation : ses cases, la dernière étant le total (ligne × colonnes, puis colonne × lignes)."""
    equations = []
    if len(colonnes) > 1:
        for ligne in lignes:
            equations.append([(ligne, c) for c in colonnes])
    if len(lignes) > 1:
        for colonne in colonnes:
            equations.append([(ligne, colonne) for ligne in lignes])
    return equations


def appliquer_secret(tableau: Tableau, seuil: int | None = None) -> set[tuple]:
    """Masque les cases du tableau (``tableau.masquees``) ; rend l'ensemble des cases masquées."""
    seuil = seuil or seuil_en_vigueur()
    lignes = [code for code, _ in tableau.lignes] + [TOTAL] if tableau.ligne else [TOTAL]
    colonnes = [code for code, _ in tableau.colonnes] + [TOTAL] if tableau.colonne else [TOTAL]
    masquees = {
        (ligne, colonne) for ligne in lignes for colonne in colonnes if 0 < tableau.effectif(ligne, colonne) < seuil
    }
    if tableau.mesure.effectif is None:
        equations = _equations(lignes, colonnes)
        change = True
        while change:
            change = False
            for equation in equations:
                inconnues = [case for case in equation if case in masquees]
                if len(inconnues) != 1:
                    continue
                cases = [case for case in equation[:-1] if case not in masquees and tableau.effectif(*case) > 0]
                if cases:
                    masquees.add(min(cases, key=lambda case: tableau.effectif(*case)))
                elif equation[-1] not in masquees:
                    masquees.add(equation[-1])
                else:
                    continue
                change = True
    tableau.masquees = masquees
    return masquees
