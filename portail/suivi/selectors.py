"""Décisions des commissions d'attribution (CAL) lues dans l'historique, priorités et contingents.

Les événements ``decision_cal`` portent leurs ``details`` (commission, séance, décision, rang, motif, bien,
logement, disponibilité, pièce manquante, date limite) ; un événement ancien ou produit par le générateur peut
n'en avoir qu'une partie : on relit alors ses ``precisions`` (« Commission … - séance du … - Décision : … -
Motif : … - Rang : 2 - bien … »), et ce qui manque n'est pas affiché.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from demandes.doublons.services import evenements_du_dossier
from demandes.labels import services as labels
from demandes.labels.models import TypeLabel
from demandes.models import Demande, Evenement
from offre.models import Disponibilite, Logement

T = Evenement.Type

TYPES_CAL = (T.PASSAGE_CAL, T.DECISION_CAL, T.NON_ATTRIBUTION, T.REFUS_ATTRIBUTION, T.SATISFACTION)

#: Décisions de la CAL (CCH R441-3), libellé et explication en mots simples.
DECISIONS = {
    "attribution": (
        "Attribution",
        "La commission vous attribue le logement. Le bailleur vous contacte pour la signature du bail.",
    ),
    "attribution_rang": (
        "Attribution par ordre de classement",
        "La commission a classé plusieurs candidats pour ce logement. Il vous est attribué si les candidats classés "
        "avant vous le refusent.",
    ),
    "attribution_condition": (
        "Attribution sous condition suspensive",
        "Le logement vous est attribué à condition de fournir la pièce manquante avant la date limite ; le bailleur "
        "signe alors le bail si votre situation n'a pas changé.",
    ),
    "non_attribution": (
        "Non-attribution",
        "La commission ne vous attribue pas ce logement, pour le motif indiqué. Votre demande reste active et "
        "garde son ancienneté : elle pourra être présentée pour un autre logement.",
    ),
    "irrecevabilite": (
        "Irrecevabilité",
        "La commission estime que la demande ne remplit pas les conditions pour un logement social. Vous recevrez "
        "un courrier ; sans réponse de votre part, la demande sera radiée un mois après l'avertissement.",
    ),
    "report": (
        "Report",
        "La commission a reporté sa décision : votre dossier sera examiné à une prochaine séance.",
    ),
}

LIBELLES_DECISIONS = {libelle.lower(): code for code, (libelle, _) in DECISIONS.items()}
LIBELLES_DECISIONS["attribution sous condition suspensive"] = "attribution_condition"
# Libellés des décisions tels que les écrit l'instruction (``instruction.commissions.models.DecisionCal``).
LIBELLES_DECISIONS["attribution par ordre de priorité"] = "attribution_rang"
LIBELLES_DECISIONS["examen reporté"] = "report"

_MOTIFS = {
    "commission": re.compile(r"Commission\s+([^-]+?)\s*(?:-|$)"),
    "seance": re.compile(r"séance du\s+(\d{2}/\d{2}/\d{4})"),
    "decision": re.compile(r"Décision\s*:\s*([^-]+?)\s*(?:-|$)"),
    "motif": re.compile(r"Motif\s*:\s*(.+?)\s*(?: - |$)"),
    "rang": re.compile(r"Rang\s*:\s*(\d+)"),
    "bien": re.compile(r"bien\s+(\S+)"),
}


@dataclass
class Decision:
    evenement: Evenement
    type: str
    commission: str = ""
    seance: date | None = None
    decision: str = ""  # code de DECISIONS, vide si inconnu
    rang: int | None = None
    motif: str = ""
    bien: str = ""
    piece_manquante: str = ""
    date_limite: date | None = None
    logement_id: int | None = None
    disponibilite_id: int | None = None
    logement: Logement | None = None

    @property
    def libelle(self) -> str:
        if self.decision in DECISIONS:
            return DECISIONS[self.decision][0]
        return self.evenement.get_type_display()

    @property
    def attribue(self) -> bool:
        return self.decision in ("attribution", "attribution_rang", "attribution_condition")

    @property
    def explication(self) -> str:
        return DECISIONS[self.decision][1] if self.decision in DECISIONS else ""


def _date(valeur) -> date | None:
    if not valeur:
        return None
    texte = str(valeur)
    try:
        if "/" in texte:
            jour, mois, annee = (int(x) for x in texte.split("/"))
            return date(annee, mois, jour)
        return date.fromisoformat(texte[:10])
    except ValueError:
        return None


def _lire_precisions(precisions: str) -> dict:
    lu = {}
    for cle, motif in _MOTIFS.items():
        trouve = motif.search(precisions or "")
        if trouve:
            lu[cle] = trouve.group(1).strip()
    return lu


def lire_decision(evenement: Evenement) -> Decision:
    """Une décision affichable depuis un événement de CAL, ``details`` d'abord, ``precisions`` à défaut."""
    details = evenement.details if isinstance(evenement.details, dict) else {}
    lu = {**_lire_precisions(evenement.precisions), **{k: v for k, v in details.items() if v not in (None, "")}}
    code = str(lu.get("decision", "")).strip()
    if code not in DECISIONS:
        code = LIBELLES_DECISIONS.get(code.lower(), "")
    try:
        rang = int(lu["rang"]) if lu.get("rang") not in (None, "") else None
    except (TypeError, ValueError):
        rang = None
    decision = Decision(
        evenement=evenement,
        type=evenement.type,
        commission=str(lu.get("commission", "")),
        seance=_date(lu.get("seance")),
        decision=code,
        rang=rang,
        motif=str(lu.get("motif", "")),
        bien=str(lu.get("bien", "")),
        piece_manquante=str(lu.get("piece_manquante", "")),
        date_limite=_date(lu.get("date_limite")),
        logement_id=_entier(details.get("logement")),
        disponibilite_id=_entier(details.get("disponibilite")),
    )
    return decision


def _entier(valeur) -> int | None:
    try:
        return int(valeur) if valeur not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _attacher_logements(decisions: list[Decision]) -> None:
    """Le logement de chaque décision (par son id, sinon par la vacance), en deux requêtes au plus."""
    par_dispo = {d.disponibilite_id for d in decisions if d.logement_id is None and d.disponibilite_id}
    logement_de_dispo = dict(
        Disponibilite.objects.filter(pk__in=par_dispo).values_list("pk", "logement_id") if par_dispo else []
    )
    for d in decisions:
        if d.logement_id is None and d.disponibilite_id:
            d.logement_id = logement_de_dispo.get(d.disponibilite_id)
    ids = {d.logement_id for d in decisions if d.logement_id}
    logements = Logement.objects.select_related("programme", "commune", "bailleur").in_bulk(ids) if ids else {}
    for d in decisions:
        d.logement = logements.get(d.logement_id)


def decisions_cal(demande: Demande) -> list[Decision]:
    """Passages en CAL, décisions, non-attributions, refus d'un logement attribué, bail signé : récents d'abord."""
    evenements = evenements_du_dossier(demande).filter(type__in=TYPES_CAL)
    decisions = [lire_decision(e) for e in evenements]
    _attacher_logements(decisions)
    return decisions


# ---------------------------------------------------------------- priorités et contingents

CODES_DALO = ("cp-dalo",)


@dataclass
class Priorites:
    priorites: list
    contingents: list
    eligibilites: list
    dalo: bool


def priorites(demande: Demande) -> Priorites:
    actifs = labels.labels_de(demande)["actifs"]
    par_famille = {f: [lab for lab in actifs if lab.type.famille == f] for f in TypeLabel.Famille.values}
    return Priorites(
        priorites=par_famille[TypeLabel.Famille.PRIORITE],
        contingents=par_famille[TypeLabel.Famille.CONTINGENT],
        eligibilites=par_famille[TypeLabel.Famille.ELIGIBILITE],
        dalo=any(lab.type.code in CODES_DALO or "dalo" in lab.type.libelle.lower() for lab in actifs),
    )
