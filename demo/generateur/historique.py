"""Historique d'une demande générée, conduit par la table des transitions des demandes.

Chaque changement d'état passe par ``TRANSITIONS[action]`` (``demandes.workflow.WORKFLOW_DEMANDE``) :
l'événement écrit est ``TRANSITIONS[action].evenement``, l'état qui suit
``TRANSITIONS[action].cible``, et l'état d'où l'on part doit être l'une de ses
``sources`` (sinon le générateur s'arrête : la table a changé sans lui). Les
événements d'instruction (pièces, propositions, CAL, refus) ne changent pas
l'état : ils portent l'état courant avant et après, comme les services.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from demandes.dossier import choix
from demandes.dossier.choix import MotifAnnulation, TypePiece
from demandes.dossier.workflow import WORKFLOW_DEMANDE as TRANSITIONS
from demandes.models import Demande, Evenement
from demo.generateur.contexte import Contexte
from demo.generateur.listes import (
    DECISIONS_CAL,
    FINANCEMENTS,
    MOTIFS_IRRECEVABILITE,
    MOTIFS_NON_ATTRIBUTION,
    MOTIFS_REFUS,
    PIECES,
)
from demo.generateur.outils import ajouter_mois, brut, entier, parmi
from fdls.socle.workflow import AUTOMATE, Auteur
from instruction.commissions.models import MotifDecision
from instruction.commissions.services import CONTINGENTS, NON_ATTRIBUTION_BAIL

Type = Evenement.Type

# Actions de la table des transitions qu'emprunte le générateur.
ENREGISTRER = "enregistrer"
MODIFIER = "modifier"
RENOUVELER = "renouveler"
SATISFAIRE = "satisfaire"
ANNULER = "annuler"
ANNULER_NON_RENOUVELLEMENT = "annuler_non_renouvellement"
AVERTIR = "avertir"
RADIER_SANS_REPONSE = "radier_sans_reponse"

# État d'une demande avant son enregistrement (une des sources de ``enregistrer``).
ETAT_INITIAL = Demande.Etat.BROUILLON

# L'enregistrement ouvre la journée, la fin de la demande la clôt ; le traitement automatisé passe la nuit.
HEURES_FIXES = {
    ENREGISTRER: "07:45:00",
    SATISFAIRE: "18:00:00",
    ANNULER: "18:00:00",
    ANNULER_NON_RENOUVELLEMENT: "02:00:00",
    RADIER_SANS_REPONSE: "02:00:00",
}

AUTOMATE_LIBELLE = AUTOMATE.libelle
DEMANDEUR_EN_LIGNE = Auteur.demandeur(None).libelle

# Événements d'instruction (sans changement d'état), en ``str`` simples pour l'écriture.
PIECE_AJOUTEE = brut(Type.PIECE_AJOUTEE)
PROPOSITION = brut(Type.PROPOSITION)
REFUS_POSITIONNEMENT = brut(Type.REFUS_POSITIONNEMENT)
REFUS_ATTRIBUTION = brut(Type.REFUS_ATTRIBUTION)
PASSAGE_CAL = brut(Type.PASSAGE_CAL)
DECISION_CAL = brut(Type.DECISION_CAL)
NON_ATTRIBUTION = brut(Type.NON_ATTRIBUTION)


# Règle de chaque action, lue une fois par processus dans la table des transitions : (événement, cible,
# sources, heure fixe), en ``str`` simples (des millions d'événements).
_REGLES: dict[str, tuple] = {}


def _regle(action: str) -> tuple:
    t = TRANSITIONS[action]
    regle = (brut(t.evenement), brut(t.cible), frozenset(brut(s) for s in t.sources), HEURES_FIXES.get(action))
    _REGLES[action] = regle
    return regle


class Vie:
    """État d'une demande au fil de son historique et ses événements (dans l'ordre de fabrication).

    Un événement : (jour, heure fixe ou None, type, précisions, détails, état avant, état après,
    intervenant, organisme). Les détails sont un dictionnaire ou un texte JSON déjà prêt.
    """

    __slots__ = ("etat", "evenements")

    def __init__(self):
        self.etat = brut(ETAT_INITIAL)
        self.evenements: list[tuple] = []

    def transition(self, action: str, jour: date, precisions: str, details, auteur: str, organisme) -> None:
        evenement, cible, sources, heure = _REGLES.get(action) or _regle(action)
        if self.etat not in sources:
            raise ValueError(f"Transition « {action} » impossible depuis l'état « {self.etat} ».")
        self.evenements.append((jour, heure, evenement, precisions, details, self.etat, cible, auteur, organisme))
        self.etat = cible

    def fait(self, type_: str, jour: date, precisions: str, details, auteur: str, organisme) -> None:
        """Événement d'instruction : l'état ne change pas."""
        self.evenements.append((jour, None, type_, precisions, details, self.etat, self.etat, auteur, organisme))


class TireurHistorique:
    """Tire les événements d'une demande : renouvellements, pièces, modifications, CAL, fin de la demande."""

    def __init__(self, ctx: Contexte, *, evenements_cal: bool = True):
        self.ctx = ctx
        # Passages et décisions de CAL fabriqués (bancs) ; la petite démonstration les écrit par les services.
        self.evenements_cal = evenements_cal

    # ------------------------------------------------------------ dates

    def renouvellements(self, a: random.Random, depot: date, jusqua: date) -> tuple[list[date], date]:
        """Renouvellements chaque année avant l'échéance, tant que l'échéance précède ``jusqua``."""
        v = self.ctx.validite_mois
        expiration = ajouter_mois(depot, v)
        dates = []
        while expiration < jusqua:
            r = expiration - timedelta(days=entier(a, 0, 30))
            if r <= (dates[-1] if dates else depot):
                r = expiration
            dates.append(r)
            expiration = ajouter_mois(r, v)
        return dates, expiration

    # ------------------------------------------------------------ vie active

    def enregistrement(self, vie: Vie, depot: date, nu: str, reference: str, guichet, auteur: str, organisme) -> None:
        nu_affiche = f"{nu[:3]} {nu[3:7]} {nu[7:13]} {nu[13:]}"
        vie.transition(
            ENREGISTRER,
            depot,
            f"Numéro unique {nu_affiche} – guichet {guichet[4]}"[:2000],
            # Détails déjà en JSON (codes et chiffres, rien à échapper) : évite l'encodeur pour les événements
            # les plus nombreux ; ``test_generateur`` relit chaque détail comme un dictionnaire.
            f'{{"numero_unique":"{nu}","reference":"{reference}","guichet":"{guichet[1]}"}}',
            auteur,
            organisme,
        )

    def renouvelee(
        self, a: random.Random, vie: Vie, depot: date, dates: list[date], en_ligne: bool, auteur: str, organisme
    ) -> None:
        v = self.ctx.validite_mois
        ancienne = ajouter_mois(depot, v)
        for r in dates:
            nouvelle = ajouter_mois(r, v)
            par_demandeur = en_ligne and a.random() < 0.6
            vie.transition(
                RENOUVELER,
                r,
                f"Valable jusqu'au {nouvelle:%d/%m/%Y}",
                f'{{"ancienne_expiration":"{ancienne.isoformat()}","nouvelle_expiration":"{nouvelle.isoformat()}"}}',
                DEMANDEUR_EN_LIGNE if par_demandeur else auteur,
                None if par_demandeur else organisme,
            )
            ancienne = nouvelle

    @staticmethod
    def pieces(a: random.Random, vie: Vie, depot: date, duree: int, auteur: str, organisme) -> None:
        """Pièces ajoutées à l'enregistrement (la pièce d'identité, obligatoire) et à l'instruction."""
        identite = TypePiece.IDENTITE
        vie.fait(PIECE_AJOUTEE, depot, identite.label, f'{{"piece":"{identite.value}"}}', auteur, organisme)
        for _ in range(a.random() < 0.5):
            code, libelle = PIECES[int(a.random() * len(PIECES))]
            jour = depot + timedelta(days=min(duree - 1, entier(a, 0, 20)))
            vie.fait(PIECE_AJOUTEE, jour, libelle, f'{{"piece":"{code}"}}', auteur, organisme)

    def localisations_ajoutees(
        self, a: random.Random, vie: Vie, localisations, depot: date, duree: int, auteur: str, organisme
    ) -> list[date]:
        """Date d'ancienneté de chaque choix ; un choix ajouté après le dépôt est une modification historisée."""
        anciennetes = []
        for rang, (commune, _q) in enumerate(localisations, 1):
            if rang > 1 and duree > 60 and a.random() < 0.35:
                jour = depot + timedelta(days=entier(a, 30, duree - 1))
                anciennetes.append(jour)
                changement = {
                    "rubrique": "Localisation souhaitée",
                    "champ": self.ctx.communes[commune][0],
                    "ancien": "—",
                    "nouveau": "Souhaitée",
                }
                vie.transition(
                    MODIFIER, jour, "Localisation souhaitée", {"changements": [changement]}, auteur, organisme
                )
            else:
                anciennetes.append(depot)
        return anciennetes

    def modifications(
        self, a: random.Random, vie: Vie, situation: dict, depot: date, duree: int, auteur: str, organisme
    ) -> None:
        """Environ une modification tous les 18 mois."""
        nb_modifs = int(a.expovariate(540.0 / duree)) if duree > 30 else 0
        for _ in range(min(nb_modifs, 6)):
            jour = depot + timedelta(days=entier(a, 1, duree - 1)) if duree > 1 else depot
            rubrique, champ, ancien, nouveau = self._modification(a, situation)
            vie.transition(
                MODIFIER,
                jour,
                rubrique,
                {"changements": [{"rubrique": rubrique, "champ": champ, "ancien": ancien, "nouveau": nouveau}]},
                auteur if a.random() < 0.5 else DEMANDEUR_EN_LIGNE,
                organisme,
            )

    @staticmethod
    def _modification(a: random.Random, situation: dict) -> tuple[str, str, str, str]:
        r = a.random()
        if r < 0.35:
            return (
                "Coordonnées",
                "Téléphone portable",
                "—",
                f"07 {entier(a, 10, 99)} {entier(a, 10, 99)} {entier(a, 10, 99)} {entier(a, 10, 99)}",
            )
        if r < 0.6 and situation["loyer"]:
            ancien = situation["loyer"] * a.uniform(0.9, 0.98)
            return (
                "Situation actuelle",
                "Loyer avec charges (€/mois)",
                f"{ancien:.2f}".replace(".", ","),
                f"{situation['loyer']:.2f}".replace(".", ","),
            )
        if r < 0.8:
            return ("Demandeur", "Ressource : Salaires ou revenus d'activité", "—", f"{a.uniform(900, 1900):.2f}")
        return ("Logement recherché", "Souhaite un parking", "Non", "Oui")

    # ------------------------------------------------------------ propositions et commissions

    def _bailleur(self, a: random.Random):
        return self.ctx.bailleurs[int(a.random() * len(self.ctx.bailleurs))]

    @staticmethod
    def _bien(a: random.Random) -> str:
        return f"44-{entier(a, 900, 999)}-{entier(a, 100, 999)}{parmi(a, 'ABCD')}-{entier(a, 100000, 999999)}"

    def cal(
        self, a, vie: Vie, jour: date, typologies, *, decision: str, rang: int | None = 1, bailleur=None, bien=None
    ):
        """Passage en CAL et décision de la commission, datés de la séance, de la forme des événements qu'écrit
        ``instruction.commissions.services.decider`` ; rend (bailleur, bien, date de séance, détails communs)."""
        bailleur = bailleur or self._bailleur(a)
        bien = bien or self._bien(a)
        seance = jour + timedelta(days=entier(a, 3, 14))
        commission = f"CAL {bailleur[2] or bailleur[1]}"[:60]
        if decision not in ("attribution_rang", "attribution_condition"):
            rang = 1 if decision == "attribution" else None
        libelle = f"Commission {commission} - séance du {seance:%d/%m/%Y}"
        # Le générateur n'a pas de vacance réelle : identifiants nuls, le bien est une référence tirée.
        commun = {
            "commission": commission,
            "seance": seance.isoformat(),
            "candidature": None,
            "disponibilite": None,
            "logement": None,
            "bien": bien,
            "rang": rang,
        }
        vie.fait(
            PASSAGE_CAL, seance, f"{libelle} - bien {bien}", {**commun, "decision": decision}, bailleur[1], bailleur[0]
        )
        motif = ""
        if decision == "attribution_condition":
            motif = MotifDecision.PIECES_MANQUANTES.label
        elif decision == "non_attribution":
            motif = MOTIFS_NON_ATTRIBUTION[int(a.random() * len(MOTIFS_NON_ATTRIBUTION))]
        elif decision == "irrecevabilite":
            motif = MOTIFS_IRRECEVABILITE[int(a.random() * len(MOTIFS_IRRECEVABILITE))]
        details = {**commun, "decision": decision, "motif": motif}
        parties = [libelle, f"Décision : {DECISIONS_CAL[decision]}"]
        if motif:
            parties.append(f"Motif : {motif}")
        if decision == "attribution_condition":
            piece = PIECES[int(a.random() * len(PIECES))][1]
            limite = seance + timedelta(days=entier(a, 15, 45))
            details.update(piece_manquante=piece, date_limite=limite.isoformat())
            parties.append(f"Pièce manquante : {piece} à fournir avant le {limite:%d/%m/%Y}")
        if rang is not None:
            parties.append(f"Rang : {rang}")
        parties.append(f"bien {bien}")
        vie.fait(DECISION_CAL, seance, " - ".join(parties), details, bailleur[1], bailleur[0])
        return bailleur, bien, seance, commun

    def episode_cal(self, a: random.Random, vie: Vie, depot: date, jusqua: date, typologies) -> None:
        """Proposition suivie d'un refus, d'un rang en CAL sans bail, ou d'une non-attribution."""
        duree = (jusqua - depot).days
        if duree < 30:
            return
        jour = depot + timedelta(days=entier(a, 15, duree - 15))
        bailleur = self._bailleur(a)
        bien = self._bien(a)
        vie.fait(
            PROPOSITION,
            jour,
            f"Création proposition {entier(a, 100000, 999999)}",
            {"bien": bien, "typologie": typologies[0]},
            bailleur[1],
            bailleur[0],
        )
        r = a.random()
        if r < 0.40:
            # Refus d'être positionné en CAL après un contact (décote « refus d'être positionné »).
            vie.fait(
                REFUS_POSITIONNEMENT,
                jour + timedelta(days=entier(a, 2, 15)),
                MOTIFS_REFUS[int(a.random() * len(MOTIFS_REFUS))],
                {"etape": "avant_cal", "bien": bien, "motif": MOTIFS_REFUS[int(a.random() * len(MOTIFS_REFUS))]},
                bailleur[1],
                bailleur[0],
            )
        elif r < 0.75:
            rang = entier(a, 2, 3)
            _, bien, seance, commun = self.cal(
                a, vie, jour + timedelta(days=5), typologies, decision="attribution_rang", rang=rang, bailleur=bailleur
            )
            vie.fait(
                NON_ATTRIBUTION,
                seance + timedelta(days=entier(a, 5, 30)),
                NON_ATTRIBUTION_BAIL,
                commun,
                bailleur[1],
                bailleur[0],
            )
        elif r < 0.90:
            _, _, seance, commun = self.cal(
                a, vie, jour + timedelta(days=5), typologies, decision="attribution", bailleur=bailleur, bien=bien
            )
            # Refus du logement que la CAL vient d'attribuer : refus d'un logement attribué en CAL (décote par
            # paliers de l'annexe 1), de la forme qu'écrit ``instruction.commissions.services.refuser_attribution``.
            motif = MOTIFS_REFUS[int(a.random() * len(MOTIFS_REFUS))]
            vie.fait(
                REFUS_ATTRIBUTION,
                seance + timedelta(days=entier(a, 3, 20)),
                f"{motif} - Commission {commun['commission']} - séance du {seance:%d/%m/%Y} - Rang : 1 - bien {bien}",
                {**commun, "etape": "apres_attribution", "motif": motif},
                bailleur[1],
                bailleur[0],
            )
        else:
            self.cal(
                a, vie, jour + timedelta(days=5), typologies, decision="non_attribution", bailleur=bailleur, bien=bien
            )

    # ------------------------------------------------------------ fin de la demande

    def satisfaction(self, a: random.Random, vie: Vie, depot: date, fin: date, typologies, commune: str = "") -> None:
        bailleur = self._bailleur(a)
        bien = self._bien(a)
        # Proposition 35 à 70 jours avant le bail, jamais avant le dépôt (délais courts : un mois).
        proposition = max(fin - timedelta(days=entier(a, 35, 70)), depot + timedelta(days=1))
        vie.fait(
            PROPOSITION,
            proposition,
            f"Création proposition {entier(a, 100000, 999999)}",
            {"bien": bien, "typologie": typologies[0]},
            bailleur[1],
            bailleur[0],
        )
        rang = 1
        if self.evenements_cal:
            decision = "attribution" if a.random() < 0.85 else "attribution_condition"
            rang = 1 if decision == "attribution" or a.random() < 0.7 else 2
            self.cal(
                a,
                vie,
                proposition + timedelta(days=7),
                typologies,
                decision=decision,
                rang=rang,
                bailleur=bailleur,
                bien=bien,
            )
        # Détails du bail signé : ceux qu'écrit ``instruction.commissions.services.details_satisfaction``.
        reservataire = None
        if self.ctx.reservataires and a.random() < 0.6:
            reservataire = self.ctx.reservataires[int(a.random() * len(self.ctx.reservataires))]
        entree = fin + timedelta(days=entier(a, 0, 20))
        details = {
            "disponibilite": None,
            "logement": None,
            "bien": bien,
            "bailleur": bailleur[1],
            "commune": commune,
            "typologie": typologies[0] if typologies else "T3",
            "financement": FINANCEMENTS[int(a.random() * len(FINANCEMENTS))],
            "qpv": a.random() < 0.3,
            "reservataire": reservataire[0] if reservataire else None,
            "contingent": CONTINGENTS.get(reservataire[1], "") if reservataire else "",
            "bail_signe_le": fin.isoformat(),
            "entree_le": entree.isoformat(),
            "rang": rang,
            "fondement": choix.fondement_radiation(choix.ATTRIBUTION_BAIL),
        }
        vie.transition(
            SATISFAIRE,
            fin,
            f"Bail signé le {fin:%d/%m/%Y}, entrée le {entree:%d/%m/%Y} - Rang : {rang} - bien {bien} "
            f"({details['fondement']})",
            details,
            bailleur[1],
            bailleur[0],
        )

    def annulation(self, a: random.Random, vie: Vie, fin: date, motif: str, typologies, auteur: str, organisme) -> None:
        if motif == MotifAnnulation.NON_RENOUVELLEMENT:
            vie.transition(
                ANNULER_NON_RENOUVELLEMENT,
                fin,
                MotifAnnulation.NON_RENOUVELLEMENT.label,
                f'{{"motif":"{brut(motif)}"}}',
                AUTOMATE_LIBELLE,
                None,
            )
            return
        fondement = choix.fondement_radiation(motif)
        details = f'{{"motif":"{brut(motif)}","fondement":"{fondement}"}}'
        if motif == MotifAnnulation.NON_REPONSE:
            # R441-2-8 c) : avertissement, puis radiation par le traitement automatisé un mois plus tard.
            averti = ajouter_mois(fin, -1)
            vie.transition(
                AVERTIR,
                averti,
                f"{MotifAnnulation(motif).label} : radiation le {fin:%d/%m/%Y} sans réponse",
                f'{{"motif":"{brut(motif)}","avertie_le":"{averti.isoformat()}"}}',
                auteur,
                organisme,
            )
            vie.transition(
                RADIER_SANS_REPONSE,
                fin,
                f"{MotifAnnulation(motif).label} ({fondement})",
                details,
                AUTOMATE_LIBELLE,
                None,
            )
            return
        if motif == MotifAnnulation.IRRECEVABILITE and self.evenements_cal:
            # La commission décide l'irrecevabilité (séance 7 à 18 jours avant), l'annulation la suit.
            self.cal(a, vie, fin - timedelta(days=21), typologies, decision="irrecevabilite")
        vie.transition(ANNULER, fin, f"{MotifAnnulation(motif).label} ({fondement})", details, auteur, organisme)
