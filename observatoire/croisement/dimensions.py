"""Ce qui se croise sur une photo : sources (tables de la photo), dimensions, mesures et leurs libellés.

Un seul registre pour les tableaux standard, le constructeur de tableaux croisés, les bilans et l'open
data : une dimension y est déclarée une fois (champ, libellé, libellés de ses valeurs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Sum

from demandes.dossier.choix import CategorieRecherchee, NatureDemande, StatutOccupation, Typologie
from fdls.organismes.models import Organisme
from fdls.territoires.models import Commune, Epci, Quartier
from observatoire.photos.models import (
    PhotoAttribution,
    PhotoAttributionCube,
    PhotoDemande,
    PhotoDemandeCube,
    PhotoLogement,
    TrancheAnciennete,
)

AUCUN = "(non renseigné)"


def _choix(classe) -> Callable[[list], dict]:
    return lambda valeurs: {v: str(classe(v).label) for v in valeurs if v in classe.values}


def _communes(valeurs) -> dict:
    return dict(Commune.objects.filter(code_insee__in=valeurs).values_list("code_insee", "nom"))


def _epcis(valeurs) -> dict:
    return dict(Epci.objects.filter(siren__in=valeurs).values_list("siren", "nom"))


def _quartiers(valeurs) -> dict:
    return dict(Quartier.objects.filter(pk__in=[v for v in valeurs if v]).values_list("pk", "nom"))


def _organismes(valeurs) -> dict:
    return dict(Organisme.objects.filter(pk__in=[v for v in valeurs if v]).values_list("pk", "nom"))


def _categories_menage(valeurs) -> dict:
    return {v: f"Catégorie {v}" for v in valeurs if v}


def _oui_non(valeurs) -> dict:
    return {True: "Oui", False: "Non"}


def _mutation(valeurs) -> dict:
    return {True: "Locataires HLM", False: "Demandes externes"}


def _quartile(valeurs) -> dict:
    return {True: "1er quartile", False: "Autres quartiles", None: "Seuil inconnu"}


def _qpv(valeurs) -> dict:
    return {True: "En QPV", False: "Hors QPV"}


def _identite(valeurs) -> dict:
    return {v: str(v) for v in valeurs}


TYPOLOGIES = [str(v) for v in Typologie.values]


@dataclass(frozen=True)
class Dimension:
    code: str
    libelle: str
    champ: str
    libelles: Callable[[list], dict]
    ordre: list | None = None  # ordre imposé des valeurs (sinon : par libellé)


@dataclass(frozen=True)
class Mesure:
    code: str
    libelle: str
    # (numérateur, dénominateur) : une moyenne garde ses deux termes, si bien que les totaux sont exacts.
    somme: object
    effectif: object | None = None
    decimales: int = 0


@dataclass(frozen=True)
class Source:
    code: str
    libelle: str
    modele: type
    dimensions: dict[str, Dimension] = field(default_factory=dict)
    mesures: dict[str, Mesure] = field(default_factory=dict)
    # Table agrégée écrite avec la photo, ses dimensions et ses mesures : ``croiser`` la lit quand elle suffit.
    cube: type | None = None
    dimensions_cube: frozenset[str] = frozenset()
    mesures_cube: dict[str, Mesure] = field(default_factory=dict)


def _dims(*dims: Dimension) -> dict[str, Dimension]:
    return {d.code: d for d in dims}


TERRITOIRE = (
    Dimension("epci", "EPCI", "epci", _epcis),
    Dimension("commune", "Commune", "commune", _communes),
)
TYPOLOGIE = Dimension("typologie", "Typologie", "typologie", _choix(Typologie), TYPOLOGIES)
CATEGORIE_MENAGE = Dimension(
    "categorie_menage", "Catégorie de ménage", "categorie_menage", _categories_menage, [1, 2, 3, 4, 5, 6]
)
MUTATION = Dimension("mutation", "Statut (externe ou HLM)", "mutation", _mutation, [False, True])
PRIORITAIRE = Dimension("prioritaire", "Ménage prioritaire", "prioritaire", _oui_non, [True, False])
QUARTILE = Dimension("premier_quartile", "Quartile de ressources", "premier_quartile", _quartile, [True, False, None])
QPV = Dimension("qpv", "QPV", "qpv", _qpv, [True, False])

SOURCES: dict[str, Source] = {
    "demandes": Source(
        "demandes",
        "Demandes en cours",
        PhotoDemande,
        _dims(
            *TERRITOIRE,
            Dimension("quartier", "Quartier du 1er choix", "quartier_id", _quartiers),
            Dimension("qpv", "1er choix en QPV", "qpv", _qpv, [True, False]),
            TYPOLOGIE,
            Dimension(
                "categorie_recherchee",
                "Catégorie de logement recherchée",
                "categorie_recherchee",
                _choix(CategorieRecherchee),
                [str(v) for v in CategorieRecherchee.values],
            ),
            CATEGORIE_MENAGE,
            Dimension("nature", "Composition du ménage", "nature", _choix(NatureDemande)),
            Dimension("statut_occupation", "Logement actuel", "statut_occupation", _choix(StatutOccupation)),
            MUTATION,
            PRIORITAIRE,
            QUARTILE,
            Dimension(
                "tranche_anciennete",
                "Ancienneté de la demande",
                "tranche_anciennete",
                _choix(TrancheAnciennete),
                [1, 2, 3, 4],
            ),
            Dimension("organisme", "Organisme d'enregistrement", "organisme_id", _organismes),
        ),
        {
            "nombre": Mesure("nombre", "Nombre de demandes", Count("id")),
            "anciennete": Mesure(
                "anciennete", "Ancienneté moyenne (mois)", Sum("anciennete_mois"), Count("id"), decimales=1
            ),
        },
        cube=PhotoDemandeCube,
        dimensions_cube=frozenset(
            {
                "epci",
                "commune",
                "quartier",
                "qpv",
                "typologie",
                "categorie_recherchee",
                "categorie_menage",
                "mutation",
                "prioritaire",
                "premier_quartile",
                "tranche_anciennete",
            }
        ),
        mesures_cube={
            "nombre": Mesure("nombre", "Nombre de demandes", Sum("nb")),
            "anciennete": Mesure(
                "anciennete", "Ancienneté moyenne (mois)", Sum("somme_anciennete"), Sum("nb"), decimales=1
            ),
        },
    ),
    "attributions": Source(
        "attributions",
        "Attributions (baux signés)",
        PhotoAttribution,
        _dims(
            *TERRITOIRE,
            Dimension("annee", "Année du bail", "annee", _identite),
            QPV,
            TYPOLOGIE,
            Dimension("financement", "Financement", "financement", _identite),
            Dimension("bailleur", "Bailleur", "bailleur", _identite),
            Dimension("contingent", "Contingent", "contingent", _identite),
            CATEGORIE_MENAGE,
            MUTATION,
            PRIORITAIRE,
            QUARTILE,
        ),
        {
            "nombre": Mesure("nombre", "Nombre d'attributions", Count("id")),
            "delai": Mesure("delai", "Délai moyen d'attribution (mois)", Sum("delai_mois"), Count("id"), decimales=1),
        },
        cube=PhotoAttributionCube,
        dimensions_cube=frozenset(
            {
                "epci",
                "commune",
                "annee",
                "qpv",
                "typologie",
                "financement",
                "bailleur",
                "contingent",
                "categorie_menage",
                "mutation",
                "prioritaire",
                "premier_quartile",
            }
        ),
        mesures_cube={
            "nombre": Mesure("nombre", "Nombre d'attributions", Sum("nb")),
            "delai": Mesure("delai", "Délai moyen d'attribution (mois)", Sum("somme_delai"), Sum("nb"), decimales=1),
        },
    ),
    "logements": Source(
        "logements",
        "Parc de logements sociaux",
        PhotoLogement,
        _dims(
            *TERRITOIRE,
            QPV,
            TYPOLOGIE,
            Dimension("categorie", "Catégorie de logement", "categorie", _identite),
            Dimension("financement", "Financement", "financement", _identite),
            Dimension("bailleur", "Bailleur", "bailleur", _identite),
        ),
        {
            "nombre": Mesure("nombre", "Nombre de logements", Sum("nb_logements")),
            "vacants": Mesure("vacants", "Vacances ouvertes", Sum("nb_vacants")),
        },
    ),
}
