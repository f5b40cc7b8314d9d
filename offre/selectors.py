"""Lectures du parc partagées par les écrans, l'API et les statistiques.

``stock_logements`` calcule le parc par commune × typologie × catégorie ; les
chiffres clés publics (portail) le réutiliseront : il ne dépend d'aucun
utilisateur, l'appelant choisit le territoire (le parc n'est pas nominatif).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.utils.functional import cached_property

from fdls.organismes.models import Organisme
from fdls.territoires.models import Commune
from offre.models import (
    ETATS_OUVERTS,
    TYPES_RESERVATAIRES,
    Categorie,
    Disponibilite,
    Logement,
    Programme,
    Typologie,
)

#: Au-delà, la liste n'affiche pas le nombre exact de résultats (compter des
#: millions de lignes à chaque page coûterait plus que la page elle-même).
PLAFOND_COMPTAGE = 2_000


class PaginateurPlafonne(Paginator):
    """Paginator dont le comptage s'arrête à ``PLAFOND_COMPTAGE`` + 1 lignes.

    ``count`` vaut au plus le plafond (les pages au-delà ne sont pas
    atteignables : il faut affiner les critères) et ``depasse_plafond`` dit si
    la liste réelle est plus longue. docs/offre.md explique ce choix.
    """

    plafond = PLAFOND_COMPTAGE

    @cached_property
    def _compte_borne(self) -> int:
        requete = self.object_list
        if not requete.query.is_sliced:
            requete = requete.order_by()[: self.plafond + 1]
        return requete.count()

    @cached_property
    def count(self) -> int:
        return min(self._compte_borne, self.plafond)

    @property
    def depasse_plafond(self) -> bool:
        return self._compte_borne > self.plafond


def logements_pour_liste(user) -> QuerySet:
    """Logements visibles de l'agent, triés par programme puis code (index ``logement_dep_tri``)."""
    return (
        Logement.objects.visibles_par(user)
        .select_related("programme", "commune", "quartier", "bailleur", "reservataire")
        .order_by("programme_id", "code")
    )


def attacher_disponibilites(logements) -> None:
    """Pose ``disponibilite_ouverte`` sur chaque logement d'une page (une requête)."""
    logements = list(logements)
    ouvertes = {
        d.logement_id: d
        for d in Disponibilite.objects.filter(logement__in=[lg.pk for lg in logements], etat__in=ETATS_OUVERTS)
    }
    for logement in logements:
        logement.disponibilite_ouverte = ouvertes.get(logement.pk)


def disponibilites_pour_liste(user) -> QuerySet:
    return (
        Disponibilite.objects.visibles_par(user)
        .select_related("logement__programme", "logement__commune", "logement__bailleur", "reservataire")
        .order_by("date_disponibilite", "id")
    )


def programmes_du_bailleur(organisme_id: int) -> QuerySet:
    return Programme.objects.filter(bailleur=organisme_id).select_related("commune").order_by("nom", "code")


def reservataires() -> QuerySet:
    return Organisme.objects.filter(type__in=TYPES_RESERVATAIRES, actif=True).order_by("nom")


# --- Statistiques du parc ---------------------------------------------------

TYPOLOGIES = list(Typologie)
CATEGORIES = list(Categorie)


@dataclass
class LigneStock:
    libelle: str
    valeurs: list[int]
    total: int
    code: str = ""


@dataclass
class StockParc:
    """Parc d'un territoire : comptes par commune × typologie × catégorie."""

    comptes: dict[tuple[str, str, str], int] = field(default_factory=dict)
    communes: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.comptes.values())

    def _ligne(self, libelle: str, filtre, code: str = "") -> LigneStock:
        valeurs = [
            sum(n for (commune, typo, cat), n in self.comptes.items() if typo == t and filtre(commune, cat))
            for t in TYPOLOGIES
        ]
        return LigneStock(libelle=libelle, valeurs=valeurs, total=sum(valeurs), code=code)

    def par_categorie(self) -> list[LigneStock]:
        """Tableau « Patrimoine de logements » du seed 000 : catégorie × typologie."""
        return [self._ligne(c.label, lambda _commune, cat, c=c: cat == c) for c in CATEGORIES]

    def par_commune(self) -> list[LigneStock]:
        """Une ligne par commune : typologies en colonnes."""
        lignes = [
            self._ligne(nom, lambda commune, _cat, code=code: commune == code, code=code)
            for code, nom in sorted(self.communes.items(), key=lambda item: item[1])
        ]
        return [ligne for ligne in lignes if ligne.total]

    def totaux(self) -> LigneStock:
        return self._ligne("Total", lambda _commune, _cat: True)


def stock_logements(*, communes: list[str] | QuerySet | None = None) -> StockParc:
    """Parc par commune × typologie × catégorie pour les communes données (toutes si None).

    Une seule requête agrégée, servie par l'index ``(commune, typologie,
    catégorie)`` (parcours d'index seul).
    """
    requete = Logement.objects.order_by()
    if communes is not None:
        requete = requete.filter(commune__in=communes)
    comptes = defaultdict(int)
    for commune, typo, cat, n in requete.values_list("commune_id", "typologie", "categorie").annotate(n=Count("*")):
        comptes[(commune, typo, cat)] += n
    codes = {commune for commune, _t, _c in comptes}
    noms = dict(Commune.objects.filter(code_insee__in=codes).values_list("code_insee", "nom"))
    return StockParc(comptes=dict(comptes), communes=noms)


def bailleurs_principaux(
    *, communes: list[str] | QuerySet | None = None, nombre: int = 5
) -> tuple[list[LigneStock], int]:
    """Les ``nombre`` bailleurs qui ont le plus de logements sur le territoire, par
    typologie (seed 000), et le nombre total de bailleurs présents."""
    requete = Logement.objects.order_by()
    if communes is not None:
        requete = requete.filter(commune__in=communes)
    comptes = defaultdict(lambda: defaultdict(int))
    for bailleur, typo, n in requete.values_list("bailleur_id", "typologie").annotate(n=Count("*")):
        comptes[bailleur][typo] += n
    noms = dict(Organisme.objects.filter(pk__in=list(comptes)).values_list("pk", "nom"))
    lignes = [
        LigneStock(
            libelle=noms[b],
            valeurs=[parts.get(t, 0) for t in TYPOLOGIES],
            total=sum(parts.values()),
        )
        for b, parts in comptes.items()
    ]
    lignes.sort(key=lambda ligne: (-ligne.total, ligne.libelle))
    return lignes[:nombre], len(lignes)


def vacance(*, communes: list[str] | QuerySet | None = None) -> dict[str, int]:
    """Nombre de disponibilités par état sur le territoire."""
    requete = Disponibilite.objects.order_by()
    if communes is not None:
        requete = requete.filter(logement__commune__in=communes)
    return dict(requete.values_list("etat").annotate(n=Count("*")))
