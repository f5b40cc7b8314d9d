"""Chiffres clés publics d'une commune ou d'un EPCI, lus sur la dernière photo mensuelle de l'observatoire.

Mêmes définitions et même secret que le tableau « Chiffres clés » de l'observatoire
(``observatoire.tableaux.selectors.chiffres_cles``), sur la photo du fichier du 1er du mois :

- demandes en cours : demandes actives au jour de la photo, dans la commune de leur **premier** choix, par
  première typologie recherchée ;
- attributions de l'année N-1 de la photo : baux signés, commune et typologie du **logement** ;
- pression : demandes en cours pour une attribution de l'année ;
- délai moyen : mois entre le dépôt de la demande et le bail, pour ces attributions ;
- logements sociaux : le parc de la photo.

Secret statistique de l'observatoire (``observatoire.secret``, seuil daté ``SeuilSecret``) : aucun effectif
entre 1 et le seuil moins un n'est publié, ni la case qui permettrait de le retrouver par différence avec le
total ; pression et délai ne sont publiés que sur au moins ``seuil`` attributions (et une pression, que si les
demandes de sa case le sont). Les chiffres d'une photo sont calculés une fois (au premier affichage ou par la
tâche mensuelle, après la photo du 1er), puis relus.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

from demandes.dossier import choix
from fdls.territoires.models import Commune, Epci
from observatoire.croisement.dimensions import TYPOLOGIES
from observatoire.croisement.grille import Territoire
from observatoire.croisement.tableau import TOTAL, Tableau, croiser
from observatoire.photos.models import Photo
from observatoire.secret.services import appliquer_secret, seuil_en_vigueur

from .models import ChiffresTerritoire

MASQUE = None  # case couverte par le secret statistique


def territoire_de(territoire: str, code: str) -> Territoire:
    if territoire == ChiffresTerritoire.Territoire.EPCI:
        return Territoire(epci=Epci.objects.get(pk=code))
    return Territoire(commune=Commune.objects.get(pk=code))


def _ligne(tableau: Tableau) -> dict:
    """Une ligne publiée : les cases par typologie et le total (``None`` : masqué)."""

    def publiable(valeur):  # JSON : une moyenne (Decimal) en nombre décimal
        return float(valeur) if isinstance(valeur, Decimal) else valeur

    return {
        "cases": [publiable(tableau.valeur(TOTAL, t)) for t in TYPOLOGIES],
        "total": publiable(tableau.valeur(TOTAL, TOTAL)),
    }


def calculer(territoire: str, code: str, photo: Photo) -> dict:
    """Les chiffres d'un territoire sur ``photo``, secret statistique appliqué (JSON)."""
    t = territoire_de(territoire, code)
    annee = photo.mois.year - 1
    autres = {**t.filtres(quartier=False), "annee": annee}
    seuil = seuil_en_vigueur(photo.mois)
    demandes = croiser("demandes", photo, ligne=None, colonne="typologie", filtres=t.filtres())
    parc = croiser("logements", photo, ligne=None, colonne="typologie", filtres=t.filtres(quartier=False))
    attributions = croiser("attributions", photo, ligne=None, colonne="typologie", filtres=autres)
    delais = croiser("attributions", photo, ligne=None, colonne="typologie", mesure="delai", filtres=autres)
    for tableau in (demandes, parc, attributions, delais):
        appliquer_secret(tableau, seuil)

    def pression(colonne):
        a, d = attributions.effectif(TOTAL, colonne), demandes.valeur(TOTAL, colonne)
        return round(d / a, 1) if a >= seuil and d is not None else MASQUE

    return {
        "photo": photo.mois.isoformat(),
        "annee": annee,
        "typologies": [str(choix.Typologie(t).label) for t in TYPOLOGIES],
        "demandes": _ligne(demandes),
        "attributions": _ligne(attributions),
        "parc": _ligne(parc),
        "pression": {"cases": [pression(c) for c in TYPOLOGIES], "total": pression(TOTAL)},
        "delai": _ligne(delais),
        "seuil": seuil,
    }


def chiffres_du_mois(territoire: str, code: str) -> ChiffresTerritoire | None:
    """Les chiffres du territoire sur la dernière photo (``None`` tant que le fichier n'en a aucune)."""
    photo = Photo.objects.first()  # la plus récente
    return None if photo is None else _chiffres_de_la_photo(territoire, code, photo)


def _chiffres_de_la_photo(territoire: str, code: str, photo: Photo) -> ChiffresTerritoire:
    """Relus, ou calculés une fois (deux calculs simultanés : un seul gardé)."""
    trouve = ChiffresTerritoire.objects.filter(territoire=territoire, code=code, mois=photo.mois).first()
    if trouve is not None:
        return trouve
    donnees = calculer(territoire, code, photo)
    try:
        with transaction.atomic():
            return ChiffresTerritoire.objects.create(territoire=territoire, code=code, mois=photo.mois, donnees=donnees)
    except IntegrityError:
        return ChiffresTerritoire.objects.get(territoire=territoire, code=code, mois=photo.mois)


def photographier_tous() -> int:
    """Tâche mensuelle, après la photo du 1er : les chiffres de chaque commune et de chaque EPCI de la photo."""
    photo = Photo.objects.first()
    if photo is None:
        return 0
    # Le cube des demandes (quelques dizaines de milliers de lignes) plutôt que ses millions de lignes.
    lignes = photo.cube_demandes.values_list("commune", "epci").distinct().order_by()
    communes = sorted({commune for commune, _ in lignes})
    epcis = sorted({epci for _, epci in lignes if epci})
    for code in communes:
        _chiffres_de_la_photo(ChiffresTerritoire.Territoire.COMMUNE, code, photo)
    for siren in epcis:
        _chiffres_de_la_photo(ChiffresTerritoire.Territoire.EPCI, siren, photo)
    return len(communes) + len(epcis)
