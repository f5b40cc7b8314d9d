"""Données réglementaires versionnées : plafonds de ressources et seuils du 1er quartile.

Les montants changent chaque année par arrêté (domain.md §8) : ils sont en base
(``PlafondRessources``, ``SeuilPremierQuartile``, chargés par la migration 0007
et complétés par le gestionnaire dans l'administration), jamais dans le code.
Les lectures sont mises en cache quelques minutes par processus ;
l'administration vide le cache à chaque enregistrement.
"""

from __future__ import annotations

from decimal import Decimal

from demandes.dossier.models import ParametreReglementaire, PlafondRessources, SeuilPremierQuartile
from fdls.socle.cache import CacheDate

Zone = PlafondRessources.Zone
Financement = PlafondRessources.Financement

# Catégorie 7 des plafonds = montant ajouté par personne au-delà de la 6e.
CATEGORIE_PERSONNE_SUPPLEMENTAIRE = 7

# Zone I bis de l'arrêté du 29 juillet 1987 : Paris et communes limitrophes
# (codes INSEE). Liste à tenir par le gestionnaire d'un fichier francilien ;
# sans effet pour la Loire-Atlantique (toutes ses communes sont « autres »).
DEPARTEMENTS_ILE_DE_FRANCE = frozenset({"75", "77", "78", "91", "92", "93", "94", "95"})
COMMUNES_LIMITROPHES_PARIS: frozenset[str] = frozenset()

DUREE_CACHE = 300  # secondes
# Toute écriture d'une donnée réglementaire (administration, migration, test) vide le cache du processus.
CACHE = CacheDate(
    "reglementaire", duree=DUREE_CACHE, modeles=(ParametreReglementaire, PlafondRessources, SeuilPremierQuartile)
)


def vider_cache() -> None:
    CACHE.vider()


def _plafonds_de(financement: str, annee: int, zone: str) -> dict[int, Decimal]:
    return CACHE.lire(
        ("plafonds", financement, annee, zone),
        lambda: dict(
            PlafondRessources.objects.filter(financement=financement, annee=annee, zone=zone).values_list(
                "categorie", "montant"
            )
        ),
    )


def plafond(financement: str, categorie: int, annee: int, zone: str = Zone.AUTRES) -> Decimal | None:
    """Plafond annuel de ressources (RFR) d'une catégorie de ménage pour l'année d'application ``annee``.

    ``categorie`` au-delà de 6 = ménage de 6 + k personnes : plafond de la
    catégorie 6 plus k fois le montant par personne supplémentaire (catégorie 7
    en base). ``None`` si l'année n'est pas chargée : on n'extrapole pas.
    """
    if categorie < 1:
        raise ValueError(f"Catégorie de ménage invalide : {categorie}")
    montants = _plafonds_de(financement, annee, zone)
    if categorie <= 6:
        return montants.get(categorie)
    base = montants.get(6)
    supplement = montants.get(CATEGORIE_PERSONNE_SUPPLEMENTAIRE)
    if base is None or supplement is None:
        return None
    return base + supplement * (categorie - 6)


LIBELLES_ZONES = {
    Zone.PARIS: "Paris et communes limitrophes",
    Zone.IDF: "reste de l'Île-de-France",
    Zone.AUTRES: "autres régions",
}


def plafonds_manquants(annee: int) -> list[tuple[str, str, list[int]]]:
    """Lignes de plafonds absentes pour ``annee`` : (financement, zone, catégories manquantes, 7 = personne en plus).

    Aucune valeur n'est extrapolée (``plafond`` rend ``None``) : l'administration
    montre ces trous au gestionnaire pour qu'il les charge depuis l'arrêté.
    """
    presents = set(PlafondRessources.objects.filter(annee=annee).values_list("financement", "zone", "categorie"))
    manquants = []
    for financement in Financement.values:
        for zone in Zone.values:
            categories = [
                c for c in range(1, CATEGORIE_PERSONNE_SUPPLEMENTAIRE + 1) if (financement, zone, c) not in presents
            ]
            if categories:
                manquants.append((financement, zone, categories))
    return manquants


def texte_plafonds_manquants(annee: int) -> list[str]:
    """Les trous de ``plafonds_manquants`` en français, une phrase par financement et zone."""
    textes = []
    for financement, zone, categories in plafonds_manquants(annee):
        noms = [str(c) for c in categories if c != CATEGORIE_PERSONNE_SUPPLEMENTAIRE]
        libelle = f"catégorie{'s' if len(noms) > 1 else ''} {', '.join(noms)}" if noms else ""
        if CATEGORIE_PERSONNE_SUPPLEMENTAIRE in categories:
            libelle = f"{libelle}, personne supplémentaire" if libelle else "personne supplémentaire"
        textes.append(f"{financement} {annee}, {LIBELLES_ZONES[zone]} : {libelle}")
    return textes


def seuil_premier_quartile(epci_siren: str | None, annee: int) -> Decimal | None:
    """Seuil annuel de ressources par UC du 1er quartile de l'EPCI en vigueur pour ``annee``.

    Dernier arrêté connu d'une année au plus égale à ``annee`` (le seuil de
    l'année précédente reste la référence tant que le nouveau n'est pas publié).
    """
    if not epci_siren:
        return None
    return CACHE.lire(
        ("quartile", epci_siren, annee),
        lambda: (
            SeuilPremierQuartile.objects.filter(epci_id=epci_siren, annee__lte=annee)
            .order_by("-annee")
            .values_list("montant", flat=True)
            .first()
        ),
    )


def dernier_seuil_premier_quartile(epci_siren: str, annee: int) -> tuple[int, Decimal] | None:
    """(année, montant) du seuil du 1er quartile que ``seuil_premier_quartile`` applique pour ``annee``, ou None."""
    return (
        SeuilPremierQuartile.objects.filter(epci_id=epci_siren, annee__lte=annee)
        .order_by("-annee")
        .values_list("annee", "montant")
        .first()
    )


def valeur_parametre(code: str, le) -> int | None:
    """Valeur d'un paramètre réglementaire (délai, durée) en vigueur le jour ``le``, ou None."""
    versions = CACHE.lire(
        ("parametre", code),
        lambda: list(
            ParametreReglementaire.objects.filter(code=code).order_by("-date_effet").values_list("date_effet", "valeur")
        ),
    )
    return next((valeur for date_effet, valeur in versions if date_effet <= le), None)


def zone_de(commune) -> str:
    """Zone des plafonds de ressources d'une commune (arrêté du 29 juillet 1987).

    Paris et communes limitrophes ; reste de l'Île-de-France ; autres régions
    (dont Bretagne et Pays de la Loire). Lit ``departement_id`` sans requête.
    """
    if commune is None:
        return Zone.AUTRES
    departement = getattr(commune, "departement_id", None) or ""
    if departement == "75" or getattr(commune, "code_insee", None) in COMMUNES_LIMITROPHES_PARIS:
        return Zone.PARIS
    if departement in DEPARTEMENTS_ILE_DE_FRANCE:
        return Zone.IDF
    return Zone.AUTRES
