"""Indicateurs légaux des attributions d'une année (CCH L441-1), par EPCI et par bailleur, face aux objectifs.

Sur les attributions de la photo (baux signés de l'année) :

- hors QPV : part attribuée aux ménages du 1er quartile de ressources par UC (seuil de l'EPCI du
  logement, année du bail) ou relogés du renouvellement urbain (label « NM - Relogement renouvellement
  urbain ») — objectif 25 % ;
- en QPV : part attribuée aux trois autres quartiles — objectif 50 % ;
- ménages prioritaires (un label de priorité posé à la main, actif au jour du bail) — objectif 25 % ;
- mutations (attributaire déjà locataire HLM) — objectif 30 %.

Un attributaire dont le seuil de l'EPCI n'est pas chargé n'est classé dans aucun quartile : il est compté
à part (« seuil inconnu ») et l'indicateur le dit, au lieu de conclure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum

from fdls.territoires.models import Epci
from observatoire.photos.models import PhotoAttributionCube
from observatoire.tableaux.models import IndicateurLegal, Objectif

HORS_QPV = Q(qpv=False)
EN_QPV = Q(qpv=True)

AGREGATS = {
    "n_total": Sum("nb"),
    "n_hors_qpv": Sum("nb", filter=HORS_QPV),
    "n_hors_qpv_q1": Sum("nb", filter=HORS_QPV & (Q(premier_quartile=True) | Q(renouvellement_urbain=True))),
    "n_hors_qpv_inconnus": Sum(
        "nb", filter=HORS_QPV & Q(premier_quartile__isnull=True) & Q(renouvellement_urbain=False)
    ),
    "n_qpv": Sum("nb", filter=EN_QPV),
    "n_qpv_autres": Sum("nb", filter=EN_QPV & Q(premier_quartile=False)),
    "n_qpv_inconnus": Sum("nb", filter=EN_QPV & Q(premier_quartile__isnull=True)),
    "n_prioritaires": Sum("nb", filter=Q(prioritaire=True)),
    "n_mutations": Sum("nb", filter=Q(mutation=True)),
}

# (indicateur, numérateur, dénominateur, inconnus)
DEFINITIONS = (
    (IndicateurLegal.PREMIER_QUARTILE_HORS_QPV, "n_hors_qpv_q1", "n_hors_qpv", "n_hors_qpv_inconnus"),
    (IndicateurLegal.AUTRES_QUARTILES_QPV, "n_qpv_autres", "n_qpv", "n_qpv_inconnus"),
    (IndicateurLegal.MENAGES_PRIORITAIRES, "n_prioritaires", "n_total", None),
    (IndicateurLegal.MUTATIONS, "n_mutations", "n_total", None),
)

LIBELLES_COURTS = {
    IndicateurLegal.PREMIER_QUARTILE_HORS_QPV: "1er quartile hors QPV",
    IndicateurLegal.AUTRES_QUARTILES_QPV: "Autres quartiles en QPV",
    IndicateurLegal.MENAGES_PRIORITAIRES: "Prioritaires",
    IndicateurLegal.MUTATIONS: "Mutations",
}


@dataclass(frozen=True)
class Indicateur:
    code: str
    libelle: str
    numerateur: int
    denominateur: int
    inconnus: int
    objectif: Decimal | None

    @property
    def libelle_court(self) -> str:
        return LIBELLES_COURTS[self.code]

    @property
    def taux(self) -> Decimal | None:
        if not self.denominateur:
            return None
        return (Decimal(self.numerateur) * 100 / self.denominateur).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def atteint(self) -> bool | None:
        """Objectif atteint ; None si rien à mesurer, pas d'objectif, ou des attributaires au seuil inconnu
        qui pourraient faire basculer le résultat."""
        if self.taux is None or self.objectif is None:
            return None
        if self.inconnus:
            meilleur = Decimal(self.numerateur + self.inconnus) * 100 / self.denominateur
            if (self.taux >= self.objectif) != (meilleur >= self.objectif):
                return None
        return self.taux >= self.objectif


@dataclass(frozen=True)
class LigneIndicateurs:
    cle: str
    libelle: str
    attributions: int
    indicateurs: list[Indicateur]


def objectifs_en_vigueur(le: date) -> dict[str, Decimal]:
    objectifs: dict[str, Decimal] = {}
    for indicateur, taux in (
        Objectif.objects.filter(date_effet__lte=le)
        .order_by("indicateur", "-date_effet")
        .values_list("indicateur", "taux")
    ):
        objectifs.setdefault(indicateur, taux)
    return objectifs


def _ligne(cle: str, libelle: str, comptes: dict, objectifs: dict) -> LigneIndicateurs:
    return LigneIndicateurs(
        cle=cle,
        libelle=libelle,
        attributions=comptes["n_total"],
        indicateurs=[
            Indicateur(
                code=str(code),
                libelle=str(code.label),
                numerateur=comptes[num],
                denominateur=comptes[den],
                inconnus=comptes[inc] if inc else 0,
                objectif=objectifs.get(str(code)),
            )
            for code, num, den, inc in DEFINITIONS
        ],
    )


def indicateurs_legaux(photo, annee: int, *, par: str = "epci", filtres: dict | None = None) -> list[LigneIndicateurs]:
    """Une ligne par EPCI (``par="epci"``) ou par bailleur (``par="bailleur"``), puis l'ensemble."""
    qs = PhotoAttributionCube.objects.filter(photo=photo, annee=annee, **(filtres or {})).order_by()
    objectifs = objectifs_en_vigueur(date(annee, 12, 31))
    # Une somme filtrée sans ligne vaut NULL : zéro.
    groupes = [{**g, **{k: g[k] or 0 for k in AGREGATS}} for g in qs.values(par).annotate(**AGREGATS)]
    noms = (
        dict(Epci.objects.filter(siren__in=[g["epci"] for g in groupes]).values_list("siren", "nom"))
        if (par == "epci")
        else {}
    )
    lignes = [_ligne(g[par], noms.get(g[par]) or g[par] or "(non renseigné)", g, objectifs) for g in groupes]
    lignes.sort(key=lambda ligne: ligne.libelle.lower())
    ensemble = {k: sum(g[k] for g in groupes) for k in AGREGATS}
    lignes.append(_ligne("", "Ensemble", ensemble, objectifs))
    return lignes
