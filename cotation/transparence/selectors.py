"""Transparence de la cotation (CCH R441-2-17) : ce que l'espace du demandeur montre d'une demande.

Lectures pures (aucune écriture), sur de petites tables tenues à jour la nuit :

1. ``position`` : la répartition des points des demandes actives analogues
   (même commune en premier choix, même plus petite typologie recherchée ;
   table ``DistributionCotation``, recalculée après chaque calcul), le rang
   de la demande (1 = le plus fort total ; les ex æquo partagent le rang) et
   son centile (part des demandes analogues dont le total est inférieur ou
   égal au sien) ;
2. ``attente`` : le délai moyen observé pour les attributions analogues et
   l'estimation de Kaplan–Meier (table ``AttenteEstimee``, remplie la nuit
   par ``attentes.calculer_attentes``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cotation.calcul import services as calcul_services
from cotation.calcul.faits import plus_petite_typologie
from cotation.calcul.models import DistributionCotation, ResultatCotation
from demandes.dossier import choix
from demandes.models import Demande
from fdls.territoires.models import Commune

from .models import AttenteEstimee

MAX_BARRES = 12

# ---------------------------------------------------------------- 1. répartition, rang, centile


@dataclass
class Barre:
    debut: int
    fin: int
    effectif: int
    part: float  # en % des demandes analogues
    largeur: int  # longueur de la barre en % de la plus haute, par pas de 5 (classes CSS)
    contient: bool  # la demande est dans cette tranche

    @property
    def libelle(self) -> str:
        if self.debut == self.fin:
            return f"{self.debut} point{'s' if abs(self.debut) > 1 else ''}"
        return f"de {self.debut} à {self.fin} points"


@dataclass
class Classement:
    rang: int  # 1 = le plus fort total ; ex æquo : même rang
    effectif: int  # demandes analogues, la demande comprise
    au_dessus: int
    egaux: int  # ex æquo, la demande comprise
    en_dessous: int
    centile: int  # % des demandes analogues dont le total est inférieur ou égal


@dataclass
class Position:
    total: int
    commune_id: str
    commune_nom: str
    typologie: str
    typologie_libelle: str
    classement: Classement
    barres: list[Barre]
    repartition: list[tuple[int, int]]  # (total, effectif), totaux décroissants
    calcule_le: object = None
    territoire: str = ""  # SIREN de l'EPCI dont la grille a donné ``total``
    territoire_nom: str = ""


def classer(total: int, repartition) -> Classement:
    """Rang et centile d'un total parmi ``repartition`` [(total, effectif)] ; la demande y est comptée
    (si son total n'y figure pas — cotée depuis le dernier calcul de la répartition —, elle y est ajoutée)."""
    au_dessus = sum(n for t, n in repartition if t > total)
    egaux = sum(n for t, n in repartition if t == total)
    en_dessous = sum(n for t, n in repartition if t < total)
    egaux = max(egaux, 1)
    effectif = au_dessus + egaux + en_dessous
    centile = math.floor(100 * (en_dessous + egaux) / effectif)
    return Classement(au_dessus + 1, effectif, au_dessus, egaux, en_dessous, centile)


def _pas(etendue: int) -> int:
    for pas in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500):
        if etendue // pas + 1 <= MAX_BARRES:
            return pas
    return 1000


def barres(repartition, total: int | None = None) -> list[Barre]:
    """Tranches de points (au plus ``MAX_BARRES``, de largeur 1, 2, 5, 10…) pour le graphique, du plus bas total
    au plus haut ; les tranches vides entre deux tranches occupées sont gardées (l'échelle reste lisible)."""
    points = [(t, n) for t, n in repartition if n > 0]
    if total is not None and not any(t == total for t, _ in points):
        points.append((total, 1))
    if not points:
        return []
    bas, haut = min(t for t, _ in points), max(t for t, _ in points)
    pas = _pas(haut - bas)
    debut = math.floor(bas / pas) * pas
    tranches: dict[int, int] = {}
    for t, n in points:
        cle = math.floor(t / pas) * pas
        tranches[cle] = tranches.get(cle, 0) + n
    effectif = sum(n for _, n in points)
    plus_haute = max(tranches.values())
    resultat = []
    cle = debut
    while cle <= haut:
        n = tranches.get(cle, 0)
        largeur = 0 if n == 0 else max(5, round(20 * n / plus_haute) * 5)
        resultat.append(
            Barre(
                debut=cle,
                fin=cle + pas - 1,
                effectif=n,
                part=round(100 * n / effectif, 1),
                largeur=largeur,
                contient=total is not None and cle <= total <= cle + pas - 1,
            )
        )
        cle += pas
    return resultat


def repartition(commune: str, typologie: str) -> list[tuple[int, int]]:
    """Répartition des totaux des demandes actives analogues (dernier calcul de nuit), totaux décroissants."""
    return list(
        DistributionCotation.objects.filter(commune_id=commune, typologie=typologie)
        .order_by("-total")
        .values_list("total", "effectif")
    )


def libelle_typologie(typologie: str) -> str:
    try:
        return choix.Typologie(typologie).label
    except ValueError:
        return typologie


def commune_nom(code: str) -> str:
    """Nom de la commune ``code`` (le code s'il n'est pas au référentiel)."""
    return Commune.objects.filter(pk=code).values_list("nom", flat=True).first() or code


def _position(resultat: ResultatCotation) -> Position | None:
    if resultat.grille_id is None or not resultat.commune_id or not resultat.typologie:
        return None
    lignes = repartition(resultat.commune_id, resultat.typologie)
    calcule_le = (
        DistributionCotation.objects.filter(commune_id=resultat.commune_id, typologie=resultat.typologie)
        .values_list("calcule_le", flat=True)
        .first()
    )
    return Position(
        total=resultat.total,
        commune_id=resultat.commune_id,
        commune_nom=commune_nom(resultat.commune_id),
        typologie=resultat.typologie,
        typologie_libelle=libelle_typologie(resultat.typologie),
        classement=classer(resultat.total, lignes),
        barres=barres(lignes, resultat.total),
        repartition=lignes,
        calcule_le=calcule_le,
        territoire=resultat.territoire,
        territoire_nom=resultat.grille.epci.nom if resultat.grille_id else "",
    )


def positions(demande: Demande) -> list[Position]:
    """Une position par territoire qui cote la demande (le premier choix d'abord) : chaque territoire classe
    les demandes par sa propre cotation, parmi les demandes analogues (commune choisie × typologie)."""
    if demande.etat != Demande.Etat.ACTIVE:
        return []
    trouvees = (_position(r) for r in calcul_services.resultats_de(demande))
    return [p for p in trouvees if p is not None]


def position(demande: Demande) -> Position | None:
    """Répartition des demandes analogues, rang et centile d'une demande active cotée, dans le territoire de son
    premier choix (ou le premier territoire qui la cote) ; None sinon."""
    toutes = positions(demande)
    return toutes[0] if toutes else None


# ---------------------------------------------------------------- 2. attente observée et estimée (lecture)


def groupe_de(demande: Demande) -> tuple[str | None, str]:
    """Commune du premier choix et plus petite typologie recherchée de la demande."""
    resultat = calcul_services.resultat_de(demande)
    if resultat and resultat.commune_id and resultat.typologie:
        return resultat.commune_id, resultat.typologie
    premiere = demande.localisations.order_by("rang").values_list("commune_id", flat=True).first()
    return premiere, plus_petite_typologie(demande.typologies)


def attente(commune: str | None, typologie: str) -> AttenteEstimee | None:
    if not commune or not typologie:
        return None
    return AttenteEstimee.objects.filter(commune_id=commune, typologie=typologie).first()


def en_mois(valeur: float | None) -> int | None:
    return None if valeur is None else round(valeur)


def duree_en_clair(mois: float | None) -> str:
    """« 27 mois (2 ans et 3 mois) » ; « moins d'un mois »."""
    if mois is None:
        return ""
    m = round(mois)
    if m < 1:
        return "moins d'un mois"
    texte = f"{m} mois"
    if m >= 12:
        ans, reste = divmod(m, 12)
        detail = f"{ans} an{'s' if ans > 1 else ''}"
        if reste:
            detail += f" et {reste} mois"
        texte += f" ({detail})"
    return texte
