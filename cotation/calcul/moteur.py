"""Moteur de cotation : une fonction pure (faits d'une demande, grille) → lignes et total.

``compiler`` transforme une grille (modèles ou dictionnaire) en structure
immuable, une fois ; ``coter`` l'applique à un instantané ``Faits`` sans
requête ni effet de bord. Ordre d'application (docs/cotation.md) :

1. chaque critère, dans l'ordre des familles puis des critères, est évalué
   par sa règle ; un critère non retenu ne donne pas de ligne ;
2. exclusions : un critère retenu ne compte pas (0 point, raison donnée) si
   sa famille est exclue par une famille déjà retenue (« Priorités État *ou*
   priorités Nantes Métropole »), si un critère de ``exclu_si`` est retenu
   ou si une famille de ``exclu_si_familles`` est retenue (« sauf si… ») ;
3. cumul de la famille : « maximum » ne garde que la ligne la plus
   favorable (les publics très prioritaires de l'État : 20 points au plus) ;
4. plancher éventuel du total (une ligne « plancher » le rend visible) :
   le total est toujours la somme des lignes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .faits import Faits
from .regles import REGLES, Evaluation


@dataclass(frozen=True, slots=True)
class CritereCompile:
    code: str
    libelle: str
    famille: str
    regle: str
    parametres: dict
    points: int
    paliers: list
    duree_mois: int | None
    exclu_si: frozenset[str]
    exclu_si_familles: frozenset[str]
    mention_exclusion: str
    fonction: object


@dataclass(frozen=True, slots=True)
class FamilleCompilee:
    code: str
    libelle: str
    cumul: str
    exclue_si_familles: frozenset[str]


@dataclass(frozen=True)
class GrilleCompilee:
    id: int | None
    epci: str | None
    version: int
    libelle: str
    total_plancher: int | None
    familles: dict[str, FamilleCompilee]
    criteres: tuple[CritereCompile, ...]
    libelles: dict[str, str]  # libellé de chaque critère par code (raisons des exclusions)


@dataclass(slots=True)
class Ligne:
    critere: str
    libelle: str
    famille: str
    points: int
    raison: str
    jusqu_au: date | None = None
    exclusion: str = ""  # pourquoi la ligne ne compte pas (elle finit aussi la raison)

    def en_json(self) -> dict:
        return {
            "critere": self.critere,
            "libelle": self.libelle,
            "famille": self.famille,
            "points": self.points,
            "raison": self.raison,
            "jusqu_au": self.jusqu_au.isoformat() if self.jusqu_au else None,
            "exclusion": self.exclusion,
        }


@dataclass
class Resultat:
    grille: GrilleCompilee | None
    lignes: list[Ligne] = field(default_factory=list)
    total: int = 0
    prochaine_echeance: date | None = None

    def lignes_json(self) -> list[dict]:
        return [ligne.en_json() for ligne in self.lignes]


class GrilleInvalide(ValueError):
    pass


def compiler(grille, familles=None, criteres=None) -> GrilleCompilee:
    """Grille prête pour le moteur, depuis un ``Grille`` (familles et critères lus s'ils ne sont pas donnés)."""
    if familles is None:
        familles = list(grille.familles.all())
    if criteres is None:
        criteres = list(grille.criteres.select_related("famille").all())
    ordre_familles = {f.pk: (f.ordre, f.pk) for f in familles}
    code_famille = {f.pk: f.code for f in familles}
    compilees = {
        f.code: FamilleCompilee(f.code, f.libelle, f.cumul, frozenset(f.exclue_si_familles))
        for f in sorted(familles, key=lambda f: (f.ordre, f.pk))
    }
    liste = []
    for c in sorted(criteres, key=lambda c: (ordre_familles[c.famille_id], c.ordre, c.pk or 0)):
        description = REGLES.get(c.regle)
        if description is None:
            raise GrilleInvalide(f"Critère « {c.libelle} » : la règle « {c.regle} » n'existe pas.")
        liste.append(
            CritereCompile(
                code=c.code,
                libelle=c.libelle,
                famille=code_famille[c.famille_id],
                regle=c.regle,
                parametres=dict(c.parametres or {}),
                points=c.points,
                paliers=list(c.paliers or []),
                duree_mois=c.duree_mois,
                exclu_si=frozenset(c.exclu_si or ()),
                exclu_si_familles=frozenset(c.exclu_si_familles or ()),
                mention_exclusion=c.mention_exclusion,
                fonction=description.fonction,
            )
        )
    return GrilleCompilee(
        id=grille.pk,
        epci=grille.epci_id,
        version=grille.version,
        libelle=grille.libelle,
        total_plancher=grille.total_plancher,
        familles=compilees,
        criteres=tuple(liste),
        libelles={c.code: c.libelle for c in liste},
    )


def coter(faits: Faits, grille: GrilleCompilee | None, le: date) -> Resultat:
    """Lignes, total et prochaine échéance de la demande décrite par ``faits`` à la date ``le``."""
    if grille is None:
        return Resultat(None)
    retenus: dict[str, Ligne] = {}
    familles_retenues: set[str] = set()
    lignes: list[Ligne] = []
    echeance: date | None = None
    libelles = grille.libelles
    familles = grille.familles
    for c in grille.criteres:
        ev: Evaluation = c.fonction(faits, c, le)
        if ev.echeance is not None and ev.echeance > le and (echeance is None or ev.echeance < echeance):
            echeance = ev.echeance
        if not ev.retenu:
            continue
        ligne = Ligne(c.code, c.libelle, c.famille, ev.points, ev.raison, ev.jusqu_au)
        famille = familles[c.famille]
        exclusion = ""
        bloquantes = famille.exclue_si_familles & familles_retenues
        if bloquantes:
            noms = ", ".join(f"« {familles[b].libelle} »" for b in sorted(bloquantes))
            exclusion = f"Non cumulable : des points sont déjà accordés au titre de {noms}."
        elif c.exclu_si & retenus.keys():
            noms = ", ".join(f"« {libelles[x]} »" for x in sorted(c.exclu_si & retenus.keys()))
            exclusion = f"Non cumulable avec {noms}."
        elif c.exclu_si_familles & familles_retenues:
            noms = ", ".join(f"« {familles[b].libelle} »" for b in sorted(c.exclu_si_familles & familles_retenues))
            exclusion = f"Non cumulable avec les points accordés au titre de {noms}."
        if exclusion:
            ligne.points = 0
            ligne.raison = f"{ev.raison} {exclusion}"
            ligne.exclusion = exclusion
        else:
            retenus[c.code] = ligne
            familles_retenues.add(c.famille)
        lignes.append(ligne)
    # Cumul « maximum » : seule la ligne la plus favorable de la famille compte.
    for code, famille in familles.items():
        if famille.cumul != "maximum":
            continue
        de_la_famille = [lg for lg in lignes if lg.famille == code and lg.critere in retenus]
        if len(de_la_famille) > 1:
            meilleure = max(de_la_famille, key=lambda lg: lg.points)
            for lg in de_la_famille:
                if lg is not meilleure:
                    lg.exclusion = f"Non cumulable : « {famille.libelle} » ne compte que le critère le plus favorable."
                    lg.raison += f" {lg.exclusion}"
                    lg.points = 0
    total = sum(lg.points for lg in lignes)
    if grille.total_plancher is not None and total < grille.total_plancher:
        lignes.append(
            Ligne(
                "plancher",
                "Plancher de la grille",
                "",
                grille.total_plancher - total,
                f"Le total ne descend pas sous {grille.total_plancher} point(s).",
            )
        )
        total = grille.total_plancher
    return Resultat(grille, lignes, total, echeance)
