"""Un tableau croisé calculé sur une photo : une requête agrégée (ORM), totaux exacts, libellés.

``croiser`` sert les tableaux standard, le constructeur de tableaux croisés, les bilans et l'open data.
Une moyenne garde par case sa somme et son effectif : les totaux de ligne, de colonne et le total général
se déduisent des cases sans seconde requête.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from observatoire.croisement.dimensions import AUCUN, SOURCES, Dimension, Mesure, Source

TOTAL = "__total__"


@dataclass
class Tableau:
    titre: str
    source: Source
    mesure: Mesure
    ligne: Dimension | None
    colonne: Dimension | None
    lignes: list[tuple[object, str]]
    colonnes: list[tuple[object, str]]
    # (ligne, colonne) -> (somme, effectif) ; lignes et colonnes TOTAL comprises.
    cases: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    masquees: set[tuple] = field(default_factory=set)  # cases cachées par le secret statistique
    filtres_libelles: list[str] = field(default_factory=list)

    def valeur(self, ligne, colonne) -> Decimal | int | None:
        if (ligne, colonne) in self.masquees:
            return None
        somme, effectif = self.cases.get((ligne, colonne), (0, 0))
        if self.mesure.effectif is None:
            return int(somme or 0)
        if not effectif:
            return None
        quantum = Decimal(1).scaleb(-self.mesure.decimales)
        return (Decimal(somme) / Decimal(effectif)).quantize(quantum, rounding=ROUND_HALF_UP)

    def effectif(self, ligne, colonne) -> int:
        somme, effectif = self.cases.get((ligne, colonne), (0, 0))
        return int(effectif if self.mesure.effectif is not None else somme)

    @property
    def total(self):
        return self.valeur(TOTAL, TOTAL)


def _valeurs_ordonnees(dimension: Dimension | None, valeurs: set) -> list[tuple[object, str]]:
    if dimension is None:
        return []
    libelles = dimension.libelles(sorted(valeurs, key=lambda v: (v is None, str(v))))
    if dimension.ordre is not None:
        ordre = [v for v in dimension.ordre if v in valeurs] + sorted(
            (v for v in valeurs if v not in dimension.ordre), key=lambda v: (v is None, str(v))
        )
    else:
        ordre = sorted(valeurs, key=lambda v: (v is None or v == "", str(libelles.get(v, v)).lower()))
    return [(v, str(libelles.get(v)) if libelles.get(v) not in (None, "") else (str(v) if v else AUCUN)) for v in ordre]


def par_cube(source: Source, codes: set[str], mesure: str) -> bool:
    """Le cube de la source suffit-il (toutes les dimensions et filtres y sont, la mesure s'y calcule) ?"""
    return source.cube is not None and codes <= source.dimensions_cube and mesure in source.mesures_cube


def requete(source: Source, photo, filtres: dict | None = None, *, modele=None):
    """Les lignes de la photo pour ``source`` (ou de son cube), filtrées (``{code de dimension: valeur ou liste}``)."""
    qs = (modele or source.modele).objects.filter(photo=photo)
    for code, valeur in (filtres or {}).items():
        if valeur in (None, "", []):
            continue
        champ = source.dimensions[code].champ
        qs = qs.filter(**{f"{champ}__in" if isinstance(valeur, list | tuple) else champ: valeur})
    return qs.order_by()


def croiser(
    source_code: str,
    photo,
    *,
    ligne: str | None,
    colonne: str | None = None,
    mesure: str = "nombre",
    filtres: dict | None = None,
    titre: str = "",
) -> Tableau:
    source = SOURCES[source_code]
    dim_ligne = source.dimensions[ligne] if ligne else None
    dim_colonne = source.dimensions[colonne] if colonne else None
    m = source.mesures[mesure]
    groupes = [d.champ for d in (dim_ligne, dim_colonne) if d is not None]
    codes = {c for c in (ligne, colonne) if c} | {c for c, v in (filtres or {}).items() if v not in (None, "", [])}
    cube = par_cube(source, codes, mesure)
    calcul = source.mesures_cube[mesure] if cube else m
    agregats = {"somme": calcul.somme}
    if calcul.effectif is not None:
        agregats["effectif"] = calcul.effectif
    qs = requete(source, photo, filtres, modele=source.cube if cube else None)
    resultats = list(qs.values(*groupes).annotate(**agregats)) if groupes else [qs.aggregate(**agregats)]
    cases: dict[tuple, list[int]] = {}
    valeurs_l, valeurs_c = set(), set()

    def ajouter(cle, somme, effectif):
        case = cases.setdefault(cle, [0, 0])
        case[0] += somme
        case[1] += effectif

    for r in resultats:
        vl = r[dim_ligne.champ] if dim_ligne else TOTAL
        vc = r[dim_colonne.champ] if dim_colonne else TOTAL
        somme, effectif = int(r["somme"] or 0), int(r.get("effectif") or 0)
        if dim_ligne:
            valeurs_l.add(vl)
        if dim_colonne:
            valeurs_c.add(vc)
        cles = {(vl, vc), (vl, TOTAL), (TOTAL, vc), (TOTAL, TOTAL)}
        for cle in cles:
            ajouter(cle, somme, effectif)
    return Tableau(
        titre=titre or m.libelle,
        source=source,
        mesure=m,
        ligne=dim_ligne,
        colonne=dim_colonne,
        lignes=_valeurs_ordonnees(dim_ligne, valeurs_l),
        colonnes=_valeurs_ordonnees(dim_colonne, valeurs_c),
        cases={k: (v[0], v[1]) for k, v in cases.items()},
    )
