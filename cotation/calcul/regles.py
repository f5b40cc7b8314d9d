"""Règles nommées que les critères d'une grille désignent (``Critere.regle``).

Chaque règle lit les ``Faits`` d'une demande, les paramètres de son critère
et la date de calcul ; elle rend une ``Evaluation`` : retenu ou non, points
(ceux du critère, ou du palier atteint), raison en français pour l'agent et le
demandeur, date de fin des points limités dans le temps et prochaine date où
le résultat de la règle changera tout seul (bandes d'ancienneté, décotes
qui expirent) : le calcul de nuit ne relit que les demandes concernées.

Les paramètres de chaque règle sont décrits dans ``REGLES`` (écran de gestion
des grilles, docs/cotation.md). Ajouter une règle : une fonction ici, une
entrée dans ``REGLES``, ses cas dans tests/cotation/calcul/test_regles.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from demandes.dossier import choix
from fdls.socle.dates import ajouter_mois, mois_entre

from .faits import Faits


@dataclass(slots=True)
class Evaluation:
    retenu: bool
    points: int = 0
    raison: str = ""
    jusqu_au: date | None = None  # dernier jour des points limités dans le temps
    echeance: date | None = None  # prochain jour où l'évaluation changera sans autre événement
    palier: str = ""


NON = Evaluation(False)


def _jj(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _euros(v: Decimal) -> str:
    return f"{v:,.0f}".replace(",", "\u202f") + " €"


def palier_de(paliers: list[dict], valeur: int) -> dict | None:
    """Palier dont ``min`` ≤ valeur < ``max`` (``max`` absent : sans borne haute)."""
    for p in paliers:
        if valeur >= p["min"] and (p.get("max") is None or valeur < p["max"]):
            return p
    return None


def libelle_palier(p: dict, unite: str) -> str:
    if p.get("libelle"):
        return p["libelle"]
    if p.get("max") is None:
        return f"{p['min']} {unite} et plus"
    return f"de {p['min']} à moins de {p['max']} {unite}"


# ---------------------------------------------------------------- règles


def label(f: Faits, c, le: date) -> Evaluation:
    """Un des labels ``labels`` est actif sur la demande (priorités État, priorités locales)."""
    for code in c.parametres.get("labels", ()):
        libelle = f.labels.get(code)
        if libelle is not None:
            return Evaluation(True, c.points, f"Label « {libelle} » posé sur la demande.")
    return NON


def motif(f: Faits, c, le: date) -> Evaluation:
    """Un des motifs ``motifs`` est déclaré dans la demande."""
    for code in c.parametres.get("motifs", ()):
        if code in f.motifs:
            return Evaluation(True, c.points, f"Motif déclaré : « {choix.Motif(code).label} ».")
    return NON


def activite(f: Faits, c, le: date) -> Evaluation:
    """Le demandeur ou le co-demandeur exerce une des ``activites`` (ou a déclaré un des ``motifs``)."""
    for code in c.parametres.get("activites", ()):
        if code in f.activites:
            return Evaluation(True, c.points, f"Activité déclarée : « {choix.Activite(code).label} ».")
    for code in c.parametres.get("motifs", ()):
        if code in f.motifs:
            return Evaluation(True, c.points, f"Motif déclaré : « {choix.Motif(code).label} ».")
    return NON


def statut_occupation(f: Faits, c, le: date) -> Evaluation:
    """La situation actuelle du ménage est un des ``statuts``."""
    if f.statut_occupation and f.statut_occupation in c.parametres.get("statuts", ()):
        libelle = choix.StatutOccupation(f.statut_occupation).label
        return Evaluation(True, c.points, f"Situation actuelle : « {libelle} ».")
    return NON


def anciennete(f: Faits, c, le: date) -> Evaluation:
    """Mois écoulés depuis le dépôt initial (renouvellements compris), par paliers de mois."""
    if f.date_depot is None:
        return NON
    mois = mois_entre(f.date_depot, le)
    p = palier_de(c.paliers, mois)
    # Prochain palier : le plus petit « min » au-dessus de l'ancienneté actuelle.
    suivants = [q["min"] for q in c.paliers if q["min"] > mois]
    echeance = ajouter_mois(f.date_depot, min(suivants)) if suivants else None
    if p is None:
        return Evaluation(False, echeance=echeance)
    return Evaluation(
        True,
        p["points"],
        f"Demande déposée le {_jj(f.date_depot)} : {mois} mois d'ancienneté ({libelle_palier(p, 'mois')}).",
        jusqu_au=echeance - timedelta(days=1) if echeance else None,
        echeance=echeance,
        palier=libelle_palier(p, "mois"),
    )


def sous_occupation(f: Faits, c, le: date) -> Evaluation:
    """Pièces du logement actuel au-delà du nombre d'occupants, pour les ``statuts`` (locataire HLM).

    Paliers sur le nombre de pièces en trop (pièces − occupants) : CCH L621-2,
    un logement est sous-occupé quand il compte plus de deux pièces de plus que
    d'occupants… la grille fixe les seuils (docs/cotation.md).
    """
    if f.statut_occupation not in c.parametres.get("statuts", ()):
        return NON
    if not f.pieces_actuelles or not f.nb_occupants:
        return NON
    en_trop = f.pieces_actuelles - f.nb_occupants
    p = palier_de(c.paliers, en_trop)
    if p is None:
        return NON
    return Evaluation(
        True,
        p["points"],
        f"{f.pieces_actuelles} pièces pour {f.nb_occupants} occupant(s) : {libelle_palier(p, 'pièce(s) en trop')}.",
        palier=libelle_palier(p, "pièce(s) en trop"),
    )


def sur_occupation(f: Faits, c, le: date) -> Evaluation:
    """Surface du logement actuel sous la norme de peuplement (9 m² pour une personne, 16 m² pour deux,
    9 m² par personne en plus, jusqu'à 70 m² : CSS D542-14), pour les ``statuts``."""
    p = c.parametres
    if f.statut_occupation not in p.get("statuts", ()):
        return NON
    if not f.surface_actuelle or not f.nb_occupants:
        return NON
    n = f.nb_occupants
    if n == 1:
        norme = p.get("surface_une_personne", 9)
    else:
        norme = p.get("surface_deux_personnes", 16) + (n - 2) * p.get("surface_par_personne_en_plus", 9)
    norme = min(norme, p.get("surface_plafond", 70))
    if f.surface_actuelle >= norme:
        return NON
    return Evaluation(
        True,
        c.points,
        f"{f.surface_actuelle} m² pour {n} occupant(s) : moins que les {norme} m² de la norme de peuplement.",
    )


def taux_effort(f: Faits, c, le: date) -> Evaluation:
    """Loyer actuel (charges comprises, aides déduites si ``deduire_aides``) au-delà de ``seuil_pct`` %
    des ressources mensuelles, pour les ``statuts`` (locataires)."""
    p = c.parametres
    if f.statut_occupation not in p.get("statuts", ()) or not f.loyer:
        return NON
    loyer = f.loyer - (f.aides or 0) if p.get("deduire_aides") else f.loyer
    if loyer <= 0:
        return NON
    seuil = Decimal(str(p.get("seuil_pct", 33)))
    ressources = f.ressources_mensuelles
    if ressources > 0 and loyer * 100 <= seuil * ressources:
        return NON
    if ressources > 0:
        taux = (loyer * 100 / ressources).quantize(Decimal("0.1"))
        texte = f"{str(taux).replace('.', ',')} %"
    else:
        texte = "sans ressources déclarées"
    return Evaluation(
        True,
        c.points,
        f"Loyer de {_euros(loyer)} pour {_euros(ressources)} de ressources mensuelles : {texte} (seuil {seuil} %).",
    )


def refus(f: Faits, c, le: date) -> Evaluation:
    """Décote après refus (``evenement`` : « refus_positionnement » ou « refus_attribution »).

    Le nombre de refus est compté sur les ``periode_mois`` mois qui finissent
    au dernier refus ; le palier atteint donne les points (négatifs) et leur
    durée, comptée depuis le dernier refus (« droit à l'oubli »).
    """
    toutes = f.refus_attribution if c.parametres.get("evenement") == "refus_attribution" else f.refus_positionnement
    # Seuls comptent les refus faits au plus tard ``le`` ; le prochain refus daté après ``le`` est une échéance.
    dates = sorted(d for d in toutes if d <= le)
    a_venir = min((d for d in toutes if d > le), default=None)
    if not dates:
        return Evaluation(False, echeance=a_venir)
    dernier = dates[-1]
    debut = ajouter_mois(dernier, -int(c.parametres.get("periode_mois", 24)))
    n = sum(1 for d in dates if debut < d <= dernier)
    p = palier_de(c.paliers, n)
    if p is None:
        return Evaluation(False, echeance=a_venir)
    duree = p.get("duree_mois") or c.duree_mois
    fin = ajouter_mois(dernier, duree) if duree else None
    if fin is not None and le >= fin:
        return Evaluation(False, echeance=a_venir)
    nature = (
        "refus d'un logement attribué en CAL"
        if c.parametres.get("evenement") == "refus_attribution"
        else ("refus d'être positionné en CAL après un contact")
    )
    raison = f"{n} {nature} (dernier le {_jj(dernier)})"
    if fin is not None:
        raison += f" : décote jusqu'au {_jj(fin - timedelta(days=1))}."
    return Evaluation(
        True,
        p["points"],
        raison,
        jusqu_au=fin - timedelta(days=1) if fin else None,
        echeance=min((e for e in (fin, a_venir) if e is not None), default=None),
        palier=libelle_palier(p, "refus"),
    )


def passage_cal_non_premier(f: Faits, c, le: date) -> Evaluation:
    """Dossier passé en CAL sans être classé premier (rang > 1), points pendant ``duree_mois`` mois."""
    non_premier = [d for d, rang in f.passages_cal if rang is not None and rang > 1]
    passages = [d for d in non_premier if d <= le]
    a_venir = min((d for d in non_premier if d > le), default=None)
    if not passages:
        return Evaluation(False, echeance=a_venir)
    dernier = max(passages)
    fin = ajouter_mois(dernier, c.duree_mois) if c.duree_mois else None
    if fin is not None and le >= fin:
        return Evaluation(False, echeance=a_venir)
    raison = f"Passage en CAL le {_jj(dernier)} sans être classé en première position"
    raison += f" : points jusqu'au {_jj(fin - timedelta(days=1))}." if fin else "."
    echeance = min((e for e in (fin, a_venir) if e is not None), default=None)
    return Evaluation(True, c.points, raison, jusqu_au=fin - timedelta(days=1) if fin else None, echeance=echeance)


@dataclass(frozen=True)
class DescriptionRegle:
    fonction: object
    libelle: str
    parametres: str  # aide de saisie des paramètres (JSON)
    paliers: bool = False


REGLES: dict[str, DescriptionRegle] = {
    "label": DescriptionRegle(label, "Label posé sur la demande", '{"labels": ["cp-dalo"]}'),
    "motif": DescriptionRegle(motif, "Motif de la demande", '{"motifs": ["handicap"]}'),
    "activite": DescriptionRegle(
        activite, "Activité du demandeur ou du co-demandeur", '{"activites": ["assistant_familial"]}'
    ),
    "statut_occupation": DescriptionRegle(
        statut_occupation, "Situation actuelle (statut d'occupation)", '{"statuts": ["sans_abri"]}'
    ),
    "anciennete": DescriptionRegle(anciennete, "Ancienneté de la demande (mois, par paliers)", "{}", paliers=True),
    "sous_occupation": DescriptionRegle(
        sous_occupation, "Sous-occupation (pièces en trop, par paliers)", '{"statuts": ["locataire_hlm"]}', True
    ),
    "sur_occupation": DescriptionRegle(
        sur_occupation,
        "Sur-occupation (norme de surface)",
        '{"statuts": ["locataire_prive"], "surface_une_personne": 9, "surface_deux_personnes": 16, '
        '"surface_par_personne_en_plus": 9, "surface_plafond": 70}',
    ),
    "taux_effort": DescriptionRegle(
        taux_effort, "Loyer rapporté aux ressources", '{"statuts": ["locataire_prive"], "seuil_pct": 33}'
    ),
    "refus": DescriptionRegle(
        refus, "Décote après refus (par paliers)", '{"evenement": "refus_positionnement", "periode_mois": 24}', True
    ),
    "passage_cal_non_premier": DescriptionRegle(passage_cal_non_premier, "Passage en CAL sans être premier", "{}"),
}
