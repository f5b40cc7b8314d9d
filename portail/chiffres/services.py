"""Chiffres clés publics d'un territoire, mis à jour chaque mois, sous secret statistique.

Pour une commune ou un EPCI (ses communes), par typologie (la plus petite recherchée pour une demande ; celle
du logement pour le parc) :

- demandes en cours : demandes actives dont la **première** commune souhaitée est dans le territoire ;
- attributions de l'année écoulée : demandes satisfaites (bail signé) dans les 12 mois, même rattachement ;
- pression : demandes en cours pour une attribution ;
- délai moyen : mois entre le dépôt et la satisfaction, pour ces attributions ;
- parc : ``offre.selectors.stock_logements``.

Secret statistique : aucun effectif entre 1 et ``FDLS_SECRET_STATISTIQUE - 1`` n'est publié (« moins de 5 ») ;
si une ligne n'a qu'une case masquée, la plus petite autre case non nulle l'est aussi (sinon le total la
révélerait) ; pression et délai moyen ne sont publiés que sur au moins ``seuil`` attributions.
La photo du mois est calculée au premier affichage du mois (ou par la tâche mensuelle), puis relue.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from cotation.calcul.faits import ORDRE_TYPOLOGIES, plus_petite_typologie
from demandes.dossier import choix
from demandes.dossier.models import Demande, LocalisationSouhaitee
from fdls.territoires.models import Commune, Epci
from offre.selectors import stock_logements

from .models import ChiffresTerritoire

MASQUE = None  # case couverte par le secret statistique


def seuil() -> int:
    return settings.FDLS_SECRET_STATISTIQUE


def communes_du_territoire(territoire: str, code: str) -> list[str]:
    if territoire == ChiffresTerritoire.Territoire.EPCI:
        return list(Commune.objects.filter(epci_id=code).values_list("code_insee", flat=True))
    return [code]


def secretiser(valeurs: list[int]) -> tuple[list[int | None], int | None]:
    """Cases et total publiables : effectifs < seuil masqués, plus un masquage secondaire si une seule case l'est."""
    s = seuil()
    publiees: list[int | None] = [MASQUE if 0 < v < s else v for v in valeurs]
    masquees = [i for i, v in enumerate(publiees) if v is MASQUE]
    total: int | None = sum(valeurs)
    if len(masquees) == 1:
        autres = sorted((v, i) for i, v in enumerate(publiees) if v not in (MASQUE, 0))
        if autres:
            publiees[autres[0][1]] = MASQUE
        else:
            total = MASQUE
    if 0 < sum(valeurs) < s:
        total = MASQUE
    return publiees, total


def _par_typologie(compteur: Counter) -> list[int]:
    return [compteur.get(t, 0) for t in ORDRE_TYPOLOGIES]


def _mois_entre(debut: date, fin: date) -> float:
    return (fin - debut).days / 30.4375


def calculer(territoire: str, code: str, le: date | None = None) -> dict:
    """Les chiffres d'un territoire au jour ``le``, secret statistique appliqué (JSON)."""
    le = le or timezone.localdate()
    communes = communes_du_territoire(territoire, code)
    premiers = LocalisationSouhaitee.objects.filter(rang=1, commune_id__in=communes)
    en_cours = Counter(
        plus_petite_typologie(typos)
        for typos in premiers.filter(demande__etat=Demande.Etat.ACTIVE).values_list("demande__typologies", flat=True)
    )
    satisfaites = premiers.filter(
        demande__etat=Demande.Etat.SATISFAITE, demande__date_fin__gt=le - timedelta(days=365), demande__date_fin__lte=le
    ).values_list("demande__typologies", "demande__date_depot", "demande__date_fin")
    attributions: Counter = Counter()
    attentes: dict[str, list[float]] = {}
    for typos, depot, fin in satisfaites:
        typo = plus_petite_typologie(typos)
        attributions[typo] += 1
        if depot and fin:
            attentes.setdefault(typo, []).append(_mois_entre(depot, fin))
    stock = stock_logements(communes=communes).totaux().valeurs
    s = seuil()

    def ligne(compteur_ou_valeurs):
        valeurs = compteur_ou_valeurs if isinstance(compteur_ou_valeurs, list) else _par_typologie(compteur_ou_valeurs)
        cases, total = secretiser(valeurs)
        return {"cases": cases, "total": total}

    def pression(typo=None):
        a = attributions.get(typo, 0) if typo else sum(attributions.values())
        d = en_cours.get(typo, 0) if typo else sum(en_cours.values())
        return round(d / a, 1) if a >= s else MASQUE

    def delai(typo=None):
        valeurs = attentes.get(typo, []) if typo else [v for liste in attentes.values() for v in liste]
        return round(sum(valeurs) / len(valeurs)) if len(valeurs) >= s else MASQUE

    return {
        "le": le.isoformat(),
        "typologies": [str(choix.Typologie(t).label) for t in ORDRE_TYPOLOGIES],
        "demandes": ligne(en_cours),
        "attributions": ligne(attributions),
        "parc": ligne(list(stock)),
        "pression": {"cases": [pression(t) for t in ORDRE_TYPOLOGIES], "total": pression()},
        "delai": {"cases": [delai(t) for t in ORDRE_TYPOLOGIES], "total": delai()},
        "seuil": s,
    }


def chiffres_du_mois(territoire: str, code: str, le: date | None = None) -> ChiffresTerritoire:
    """La photo du mois du territoire : relue, ou calculée une fois (deux calculs simultanés : un seul gardé)."""
    le = le or timezone.localdate()
    mois = le.replace(day=1)
    photo = ChiffresTerritoire.objects.filter(territoire=territoire, code=code, mois=mois).first()
    if photo is not None:
        return photo
    donnees = calculer(territoire, code, le)
    try:
        with transaction.atomic():
            return ChiffresTerritoire.objects.create(territoire=territoire, code=code, mois=mois, donnees=donnees)
    except IntegrityError:
        return ChiffresTerritoire.objects.get(territoire=territoire, code=code, mois=mois)


def photographier_tous(le: date | None = None) -> int:
    """Tâche mensuelle : la photo de chaque commune et de chaque EPCI qui ont des demandes ou un parc."""
    n = 0
    codes = set(LocalisationSouhaitee.objects.filter(rang=1).values_list("commune_id", flat=True).distinct())
    for code in sorted(codes):
        chiffres_du_mois(ChiffresTerritoire.Territoire.COMMUNE, code, le)
        n += 1
    for siren in Epci.objects.filter(communes__code_insee__in=codes).values_list("siren", flat=True).distinct():
        chiffres_du_mois(ChiffresTerritoire.Territoire.EPCI, siren, le)
        n += 1
    return n
