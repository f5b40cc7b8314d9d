"""Actions des commissions d'attribution : séances, ordre du jour, décisions (CCH R441-3), suites de la CAL.

Chaque service est atomique, reçoit l'agent (``auteur`` : un utilisateur ; ``AUTOMATE`` pour le
traitement de nuit), vérifie le droit (``selectors.peut_gerer``), passe par la table de transitions
(``workflow.py``, journal dans la même transaction) et écrit l'historique de la demande dans le libellé
du seed 000 :

* décision → « Attribution de la Commission d'attribution logement » (``decision_cal``) : « Commission
  0001 - séance du 12/01/2021 - Décision : Attribution sous condition suspensive - Motif : … - Rang : 2 -
  bien … », et « Passage en Commission d'attribution logement » (``passage_cal``) avec le rang de la
  décision, que lit la règle de cotation « passé en CAL sans être classé premier » ;
* irrecevabilité → avertissement, radiation un mois plus tard (R441-2-8 d, traitement des radiations) ;
* refus d'un logement attribué → « refus_attribution » (décote de l'annexe 1), le logement passe au rang
  suivant ;
* bail signé → la demande est satisfaite (R441-2-8 a), chaque candidat classé derrière reçoit
  « Non-attribution : bail signé par le candidat classé devant », la vacance est attribuée et close :
  une seule transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from demandes.cycle import services as cycle
from demandes.dossier.choix import MotifAnnulation, TypePiece
from demandes.dossier.workflow import ecrire_evenement
from demandes.models import Demande, Evenement
from fdls.organismes.models import Organisme
from fdls.socle.workflow import AUTOMATE, Auteur, TransitionInterdite
from instruction.commissions import selectors
from instruction.commissions.models import (
    DECISIONS_MOTIVEES,
    Bail,
    Candidature,
    Commission,
    DecisionCal,
    Examen,
    Membre,
    MotifDecision,
    ObjectifFlux,
    Seance,
)
from instruction.commissions.workflow import WORKFLOW_CANDIDATURE, WORKFLOW_SEANCE
from instruction.propositions.models import MotifRefus, Positionnement
from instruction.propositions.services import bien, moment_du_jour
from instruction.propositions.workflow import WORKFLOW_POSITIONNEMENT
from offre import services as offre
from offre.models import TYPES_RESERVATAIRES, Disponibilite, EtatDisponibilite, gere_offre

Type = Evenement.Type
C = Candidature.Etat

REFUS_GESTION = "Seuls les agents du bailleur de la commission préparent ses séances et enregistrent ses décisions."
#: R441-3 : la commission examine au moins trois demandes par logement, sauf exceptions.
MINIMUM_CANDIDATS = 3
#: Une séance se planifie au plus un an à l'avance ; une condition suspensive se lève au plus en trois mois.
HORIZON_SEANCE_JOURS = 365
DELAI_CONDITION_MAX_JOURS = 92
#: Le rang d'un classement, de 1 à …
RANG_MAX = 20
NON_ATTRIBUTION_BAIL = "Non-attribution : bail signé par le candidat classé devant"
#: Contingent de réservation selon le type du réservataire dont c'était le tour (gestion en flux).
CONTINGENTS = {
    Organisme.Type.ETAT: "Contingent préfectoral",
    Organisme.Type.ACTION_LOGEMENT: "Action Logement",
    Organisme.Type.COMMUNE: "Collectivité territoriale",
    Organisme.Type.EPCI: "Collectivité territoriale",
    Organisme.Type.DEPARTEMENT: "Collectivité territoriale",
}


# ---------------------------------------------------------------- aides


def _verifier_gestion(auteur, commission: Commission) -> None:
    if not selectors.peut_gerer(auteur, commission):
        raise PermissionDenied(REFUS_GESTION)


def _verrouiller_seance(auteur, seance: Seance) -> Seance:
    seance = Seance.objects.select_for_update(of=("self",)).select_related("commission").get(pk=seance.pk)
    if auteur is not None:
        _verifier_gestion(auteur, seance.commission)
    return seance


def _verrouiller_candidature(auteur, candidature: Candidature) -> Candidature:
    """La vacance puis la candidature sous verrou (même ordre partout : pas d'interblocage)."""
    candidature = Candidature.objects.select_related("examen").get(pk=candidature.pk)
    disponibilite = (
        Disponibilite.objects.select_for_update(of=("self",))
        .select_related("logement__programme", "logement__bailleur", "reservataire")
        .get(pk=candidature.examen.disponibilite_id)
    )
    candidature = (
        Candidature.objects.select_for_update(of=("self",))
        .select_related("examen__seance__commission", "demande", "positionnement")
        .get(pk=candidature.pk)
    )
    candidature.examen.disponibilite = disponibilite
    if auteur is not None:
        _verifier_gestion(auteur, candidature.examen.seance.commission)
    return candidature


def seance_libelle(seance: Seance) -> str:
    """« Commission 0001 - séance du 12/01/2021 » (seed 000)."""
    return f"Commission {seance.commission.nom} - séance du {seance.date:%d/%m/%Y}"


def _details(candidature: Candidature) -> dict:
    """Détails communs des événements d'une candidature (contrat du portail et de l'observatoire)."""
    seance, disponibilite = candidature.examen.seance, candidature.examen.disponibilite
    return {
        "commission": seance.commission.nom,
        "seance": seance.date.isoformat(),
        "candidature": candidature.pk,
        "disponibilite": disponibilite.pk,
        "logement": disponibilite.logement_id,
        "bien": bien(disponibilite),
        "rang": candidature.rang,
    }


def _clore_positionnement(candidature: Candidature, qui: Auteur, commentaire: str) -> None:
    positionnement = Positionnement.objects.select_for_update().get(pk=candidature.positionnement_id)
    if positionnement.etat == Positionnement.Etat.POSITIONNE:
        WORKFLOW_POSITIONNEMENT.appliquer(positionnement, "clore", auteur=qui, commentaire=commentaire)
    elif positionnement.etat == Positionnement.Etat.RETENU:
        WORKFLOW_POSITIONNEMENT.appliquer(positionnement, "retirer", auteur=qui, commentaire=commentaire)


# ---------------------------------------------------------------- commissions et séances


@transaction.atomic
def creer_commission(
    *, auteur, nom: str, quorum: int = 3, majorite: int = 50, membres=(), reservataires=(), bailleur=None
) -> Commission:
    """La commission d'attribution du bailleur de l'agent, ses membres et les réservataires invités."""
    bailleur = bailleur or getattr(auteur, "organisme", None)
    commission = Commission(bailleur=bailleur, nom=(nom or "").strip(), quorum=quorum, majorite=majorite)
    _verifier_gestion(auteur, commission)
    erreurs = {}
    if not commission.nom:
        erreurs["nom"] = "Indiquez le nom de la commission."
    if not 1 <= quorum <= 50:
        erreurs["quorum"] = "Le quorum est un nombre de membres, de 1 à 50."
    if not 0 <= majorite < 100:
        erreurs["majorite"] = "La majorité est un pourcentage des voix, de 0 à 99 (50 : majorité absolue)."
    if Commission.objects.filter(bailleur=bailleur, nom=commission.nom).exists():
        erreurs["nom"] = "Ce bailleur a déjà une commission de ce nom."
    organismes = {bailleur.pk, *(r.pk for r in reservataires)}
    for user in membres:
        if user.organisme_id not in organismes:
            erreurs["membres"] = f"{user} n'est ni agent du bailleur ni d'un réservataire invité."
    if erreurs:
        raise ValidationError(erreurs)
    commission.save()
    Membre.objects.bulk_create(Membre(commission=commission, user=user) for user in membres)
    commission.reservataires_invites.set(reservataires)
    return commission


@transaction.atomic
def planifier_seance(
    *, auteur, commission: Commission, date_seance: date, lieu: str = "", a_distance: bool = False, heure=None
) -> Seance:
    """Une séance de la commission, en un lieu ou à distance."""
    _verifier_gestion(auteur, commission)
    lieu = (lieu or "").strip()
    if not a_distance and not lieu:
        raise ValidationError({"lieu": "Indiquez le lieu de la séance, ou qu'elle se tient à distance."})
    aujourd_hui = timezone.localdate()
    if date_seance < aujourd_hui - timedelta(days=HORIZON_SEANCE_JOURS):
        raise ValidationError({"date": "La séance date de plus d'un an : vérifiez l'année."})
    if date_seance > aujourd_hui + timedelta(days=HORIZON_SEANCE_JOURS):
        raise ValidationError({"date": "Une séance se planifie au plus un an à l'avance."})
    seance = Seance(commission=commission, date=date_seance, heure=heure, lieu=lieu, a_distance=a_distance)
    WORKFLOW_SEANCE.appliquer(seance, "planifier", auteur=Auteur.agent(auteur))
    return seance


@transaction.atomic
def inscrire_logement(
    *, auteur, seance: Seance, disponibilite: Disponibilite, moins_de_trois: str = "", commentaire: str = ""
) -> Examen:
    """Inscrit une vacance à l'ordre du jour avec ses candidats positionnés (par rang de positionnement).

    R441-3 : au moins trois demandes par logement ; en dessous, la raison (exceptions de la loi) est écrite.
    """
    seance = _verrouiller_seance(auteur, seance)
    if seance.etat not in (Seance.Etat.PLANIFIEE, Seance.Etat.VOTE):
        raise TransitionInterdite("La séance est close : son ordre du jour ne change plus.", code="transition")
    disponibilite = (
        Disponibilite.objects.select_for_update(of=("self",))
        .select_related("logement__programme")
        .get(pk=disponibilite.pk)
    )
    if disponibilite.logement.bailleur_id != seance.commission.bailleur_id:
        raise ValidationError({"disponibilite": "Ce logement n'appartient pas au bailleur de la commission."})
    if not disponibilite.ouverte:
        raise ValidationError({"disponibilite": "Cette vacance n'est plus à pourvoir."})
    if Examen.objects.filter(seance=seance, disponibilite=disponibilite).exists():
        raise ValidationError({"disponibilite": "Ce logement est déjà à l'ordre du jour de cette séance."})
    positionnements = list(
        Positionnement.objects.filter(disponibilite=disponibilite)
        .actifs()
        .exclude(candidatures_cal__etat__in=[*Candidature.ETATS_EN_LICE, C.INSCRITE])
        .select_related("demande")
        .order_by("rang", "pk")
    )
    positionnements = [p for p in positionnements if p.demande.etat == Demande.Etat.ACTIVE]
    if not positionnements:
        raise ValidationError({"disponibilite": "Aucun candidat positionné à présenter pour ce logement."})
    if moins_de_trois and moins_de_trois not in Examen.MoinsDeTrois.values:
        raise ValidationError({"moins_de_trois": "Raison inconnue : choisissez-la dans la liste."})
    if len(positionnements) < MINIMUM_CANDIDATS and not moins_de_trois:
        raise ValidationError(
            {
                "moins_de_trois": f"La commission examine au moins trois demandes par logement (CCH R441-3) : "
                f"{len(positionnements)} candidat(s) positionné(s). Indiquez la raison de l'exception."
            }
        )
    ordre = (Examen.objects.filter(seance=seance).aggregate(m=Max("ordre"))["m"] or 0) + 1
    examen = Examen.objects.create(
        seance=seance,
        disponibilite=disponibilite,
        ordre=ordre,
        moins_de_trois=moins_de_trois if len(positionnements) < MINIMUM_CANDIDATS else "",
        commentaire=(commentaire or "").strip(),
    )
    qui = Auteur.agent(auteur)
    for i, positionnement in enumerate(positionnements, start=1):
        candidature = Candidature(examen=examen, positionnement=positionnement, demande=positionnement.demande, ordre=i)
        WORKFLOW_CANDIDATURE.appliquer(candidature, "inscrire", auteur=qui)
    offre.suivre_instruction(auteur=qui, disponibilite=disponibilite, action="engager", motif="Inscrit en CAL")
    return examen


# ---------------------------------------------------------------- décisions (R441-3)


@dataclass(frozen=True)
class Saisie:
    """Une décision telle que saisie (écran, API) : validée par ``verifier_decision``."""

    decision: str
    rang: int | None = None
    motif: str = ""
    commentaire: str = ""
    piece_manquante: str = ""
    date_limite: date | None = None


def verifier_decision(candidature: Candidature, saisie: Saisie) -> Saisie:
    """Les règles de chaque décision ; ``ValidationError`` par champ, en français."""
    D = DecisionCal
    if saisie.decision not in D.values:
        raise ValidationError({"decision": "Choisissez la décision de la commission."})
    erreurs: dict[str, str] = {}
    rang, motif = saisie.rang, (saisie.motif or "").strip()
    if motif and motif not in MotifDecision.values:
        erreurs["motif"] = "Motif inconnu : choisissez-le dans la liste."
    if saisie.decision == D.ATTRIBUTION:
        if rang not in (None, 1):
            erreurs["rang"] = "Une attribution simple est au rang 1 ; pour classer, choisissez l'ordre de priorité."
        rang = 1
    elif saisie.decision in (D.ATTRIBUTION_RANG, D.ATTRIBUTION_CONDITION):
        if rang is None and saisie.decision == D.ATTRIBUTION_CONDITION:
            rang = 1
        if rang is None:
            erreurs["rang"] = "Indiquez le rang du candidat dans le classement."
        elif not 1 <= rang <= RANG_MAX:
            erreurs["rang"] = f"Le rang va de 1 à {RANG_MAX}."
    elif rang is not None:
        erreurs["rang"] = "Seule une décision d'attribution classe le candidat : laissez le rang vide."
    if saisie.decision in DECISIONS_MOTIVEES and not motif:
        erreurs["motif"] = f"Indiquez le motif de la décision « {D(saisie.decision).label.lower()} »."
    piece, limite = "", None
    if saisie.decision == D.ATTRIBUTION_CONDITION:
        motif = motif or MotifDecision.PIECES_MANQUANTES
        piece, limite = saisie.piece_manquante, saisie.date_limite
        seance = candidature.examen.seance.date
        if piece not in TypePiece.values:
            erreurs["piece_manquante"] = "Choisissez la pièce manquante dans la liste limitative."
        if limite is None:
            erreurs["date_limite"] = "Indiquez la date limite de fourniture de la pièce."
        elif limite <= seance:
            erreurs["date_limite"] = "La date limite suit la date de la séance."
        elif limite > seance + timedelta(days=DELAI_CONDITION_MAX_JOURS):
            erreurs["date_limite"] = "La pièce se fournit au plus trois mois après la séance."
    if rang is not None and "rang" not in erreurs:
        autre = candidature.examen.candidatures.filter(rang=rang).exclude(pk=candidature.pk).first()
        if autre is not None:
            erreurs["rang"] = f"Le rang {rang} est déjà donné à un autre candidat pour ce logement."
    if erreurs:
        raise ValidationError(erreurs)
    return Saisie(saisie.decision, rang, motif, (saisie.commentaire or "").strip(), piece, limite)


def precisions_decision(candidature: Candidature) -> str:
    """« Commission 0001 - séance du 12/01/2021 - Décision : … - Motif : … - Rang : 2 - bien … » (seed 000)."""
    parties = [seance_libelle(candidature.examen.seance), f"Décision : {candidature.get_decision_display()}"]
    if candidature.motif:
        parties.append(f"Motif : {candidature.get_motif_display()}")
    if candidature.piece_manquante:
        parties.append(
            f"Pièce manquante : {candidature.get_piece_manquante_display()} à fournir avant le "
            f"{candidature.date_limite:%d/%m/%Y}"
        )
    if candidature.rang is not None:
        parties.append(f"Rang : {candidature.rang}")
    parties.append(f"bien {bien(candidature.examen.disponibilite)}")
    return " - ".join(parties)


ACTIONS_DECISION = {
    DecisionCal.NON_ATTRIBUTION: "ne_pas_attribuer",
    DecisionCal.IRRECEVABILITE: "declarer_irrecevable",
    DecisionCal.REPORT: "reporter",
    DecisionCal.ATTRIBUTION_CONDITION: "attribuer_sous_condition",
}


@transaction.atomic
def decider(*, auteur, candidature: Candidature, saisie: Saisie) -> Candidature:
    """Enregistre la décision de la commission pour un candidat (R441-3 a à e, ou report)."""
    candidature = _verrouiller_candidature(auteur, candidature)
    seance = candidature.examen.seance
    WORKFLOW_CANDIDATURE.verifier(candidature, "classer")  # une décision par candidat : état « inscrite »
    if seance.etat not in (Seance.Etat.PLANIFIEE, Seance.Etat.VOTE):
        raise TransitionInterdite("La séance est close : ses décisions ne changent plus.", code="transition")
    if seance.date > timezone.localdate():
        raise ValidationError(
            {
                "decision": f"La séance a lieu le {seance.date:%d/%m/%Y} : "
                "ses décisions s'enregistrent à partir de ce jour."
            }
        )
    saisie = verifier_decision(candidature, saisie)
    demande = Demande.objects.select_for_update().get(pk=candidature.demande_id)
    if demande.etat != Demande.Etat.ACTIVE and saisie.decision != DecisionCal.REPORT:
        raise ValidationError(
            {"decision": f"La demande est « {demande.get_etat_display().lower()} » : seul un report est possible."}
        )
    candidature.decision, candidature.rang, candidature.motif = saisie.decision, saisie.rang, saisie.motif
    candidature.commentaire, candidature.piece_manquante = saisie.commentaire, saisie.piece_manquante
    candidature.date_limite, candidature.decidee_le = saisie.date_limite, timezone.now()
    action = ACTIONS_DECISION.get(saisie.decision) or ("attribuer" if saisie.rang == 1 else "classer")
    qui = Auteur.agent(auteur)
    champs = ["decision", "rang", "motif", "commentaire", "piece_manquante", "date_limite", "decidee_le"]
    try:
        with transaction.atomic():
            WORKFLOW_CANDIDATURE.appliquer(
                candidature, action, auteur=qui, commentaire=candidature.get_motif_display() or "", champs=champs
            )
    except IntegrityError as erreur:
        raise ValidationError({"rang": "Un autre candidat a déjà ce rang pour ce logement."}) from erreur
    quand = moment_du_jour(seance.date)
    details = {**_details(candidature), "decision": candidature.decision, "motif": candidature.get_motif_display()}
    if candidature.piece_manquante:
        details["piece_manquante"] = candidature.get_piece_manquante_display()
        details["date_limite"] = candidature.date_limite.isoformat()
    if saisie.decision != DecisionCal.REPORT:
        # La règle « passé en CAL sans être classé premier » lit le rang de la décision (annexe 1).
        ecrire_evenement(
            demande,
            Type.PASSAGE_CAL,
            qui,
            precisions=f"{seance_libelle(seance)} - bien {details['bien']}",
            details={**_details(candidature), "decision": candidature.decision},
            date=quand,
        )
    ecrire_evenement(
        demande, Type.DECISION_CAL, qui, precisions=precisions_decision(candidature), details=details, date=quand
    )
    if saisie.decision in DECISIONS_MOTIVEES:
        _clore_positionnement(candidature, qui, candidature.get_decision_display())
    if saisie.decision == DecisionCal.IRRECEVABILITE and not demande.avertie_le:
        cycle.avertir_demande(
            demande,
            auteur=qui,
            motif=MotifAnnulation.IRRECEVABILITE,
            precisions=f"{seance_libelle(seance)} - Motif : {candidature.get_motif_display()}",
        )
    _passer_au_suivant(candidature.examen, qui)
    return candidature


def _passer_au_suivant(examen: Examen, qui: Auteur) -> Candidature | None:
    """Quand la commission a statué sur tous les candidats du logement et que personne n'a le logement, il
    passe au premier classé encore en lice (R441-3 b) ; une condition suspensive en cours le retient."""
    candidatures = list(examen.candidatures.select_for_update().order_by("rang", "ordre"))
    if any(c.etat == C.INSCRITE for c in candidatures):
        return None
    en_lice = [c for c in candidatures if c.en_lice]
    if not en_lice:
        _liberer_si_personne(examen, qui)
        return None
    premier = en_lice[0]
    if premier.etat != C.EN_ATTENTE:
        return None
    premier.examen = examen
    WORKFLOW_CANDIDATURE.appliquer(
        premier, "passer_au_rang", auteur=qui, commentaire="Refus ou caducité des candidats classés devant"
    )
    return premier


def _liberer_si_personne(examen: Examen, qui: Auteur) -> None:
    """Plus aucun candidat en lice ni positionné : la vacance redevient « à pourvoir »."""
    disponibilite = examen.disponibilite
    if Positionnement.objects.filter(disponibilite=disponibilite).actifs().exists():
        return
    offre.suivre_instruction(
        auteur=qui,
        disponibilite=disponibilite,
        action="remettre_a_pourvoir",
        motif="Aucun candidat retenu par la commission",
    )


# ---------------------------------------------------------------- suites de la CAL


def _date_du_jour(valeur: date | None, *, champ: str, apres: date, libelle: str) -> date:
    valeur = valeur or timezone.localdate()
    if valeur > timezone.localdate():
        raise ValidationError({champ: f"{libelle} est dans le futur : indiquez une date passée ou du jour."})
    if valeur < apres:
        raise ValidationError({champ: f"{libelle} précède la séance de la commission (le {apres:%d/%m/%Y})."})
    return valeur


@transaction.atomic
def accepter_attribution(*, auteur, candidature: Candidature, date_reponse: date | None = None) -> Candidature:
    """Le candidat accepte le logement que la commission lui a attribué."""
    candidature = _verrouiller_candidature(auteur, candidature)
    WORKFLOW_CANDIDATURE.verifier(candidature, "accepter")
    seance = candidature.examen.seance
    candidature.reponse_le = _date_du_jour(
        date_reponse, champ="date_reponse", apres=seance.date, libelle="La date de la réponse"
    )
    WORKFLOW_CANDIDATURE.appliquer(candidature, "accepter", auteur=Auteur.agent(auteur), champs=["reponse_le"])
    return candidature


@transaction.atomic
def refuser_attribution(
    *, auteur, candidature: Candidature, motif: str, commentaire: str = "", date_reponse: date | None = None
) -> Candidature:
    """Le candidat refuse le logement attribué (motif) : refus compté par la cotation (annexe 1), le logement
    passe au candidat classé suivant."""
    candidature = _verrouiller_candidature(auteur, candidature)
    WORKFLOW_CANDIDATURE.verifier(candidature, "refuser")
    if motif not in MotifRefus.values:
        raise ValidationError({"motif": "Indiquez le motif du refus (liste)."})
    seance = candidature.examen.seance
    candidature.reponse_le = _date_du_jour(
        date_reponse, champ="date_reponse", apres=seance.date, libelle="La date de la réponse"
    )
    candidature.motif_refus = motif
    libelle = MotifRefus(motif).label
    commentaire = (commentaire or "").strip()
    texte = f"{libelle} - {commentaire}" if commentaire else libelle
    qui = Auteur.agent(auteur)
    WORKFLOW_CANDIDATURE.appliquer(
        candidature, "refuser", auteur=qui, commentaire=texte, champs=["reponse_le", "motif_refus"]
    )
    ecrire_evenement(
        candidature.demande,
        Type.REFUS_ATTRIBUTION,
        qui,
        precisions=f"{texte} - {seance_libelle(seance)} - Rang : {candidature.rang} - bien "
        f"{bien(candidature.examen.disponibilite)}",
        # Motif en clair (le portail l'affiche), et son code.
        details={**_details(candidature), "motif": libelle, "motif_code": motif},
        date=moment_du_jour(candidature.reponse_le),
    )
    _clore_positionnement(candidature, qui, f"Logement attribué en CAL refusé : {libelle}")
    _passer_au_suivant(candidature.examen, qui)
    return candidature


def repondre_attribution(
    *, auteur, candidature: Candidature, reponse: str, motif: str = "", commentaire: str = "", date_reponse=None
) -> Candidature:
    """La réponse du candidat (écran, API) : « accepter » ou « refuser » (motif)."""
    if reponse == "accepter":
        return accepter_attribution(auteur=auteur, candidature=candidature, date_reponse=date_reponse)
    if reponse != "refuser":
        raise ValidationError({"reponse": "Indiquez la réponse du candidat : acceptée ou refusée."})
    return refuser_attribution(
        auteur=auteur, candidature=candidature, motif=motif, commentaire=commentaire, date_reponse=date_reponse
    )


@transaction.atomic
def lever_condition(*, auteur, candidature: Candidature, recue_le: date | None = None) -> Candidature:
    """La pièce manquante est arrivée à temps : la condition suspensive est levée, le candidat reprend son rang."""
    candidature = _verrouiller_candidature(auteur, candidature)
    WORKFLOW_CANDIDATURE.verifier(candidature, "lever_condition")
    recue_le = _date_du_jour(
        recue_le, champ="recue_le", apres=candidature.examen.seance.date, libelle="La date de réception"
    )
    if recue_le > candidature.date_limite:
        raise ValidationError(
            {
                "recue_le": f"La pièce devait arriver au plus tard le {candidature.date_limite:%d/%m/%Y} : "
                "la condition n'est pas levée."
            }
        )
    candidature.piece_recue_le = recue_le
    qui = Auteur.agent(auteur)
    WORKFLOW_CANDIDATURE.appliquer(
        candidature,
        "lever_condition",
        auteur=qui,
        commentaire=f"{candidature.get_piece_manquante_display()} reçue le {recue_le:%d/%m/%Y}",
        champs=["piece_recue_le"],
    )
    _passer_au_suivant(candidature.examen, qui)
    return candidature


@transaction.atomic
def constater_caducite(*, candidature: Candidature, le: date | None = None) -> Candidature:
    """Délai passé sans la pièce : l'attribution sous condition tombe, le logement passe au suivant."""
    le = le or timezone.localdate()
    candidature = _verrouiller_candidature(None, candidature)
    WORKFLOW_CANDIDATURE.verifier(candidature, "constater_caducite")
    if candidature.date_limite >= le:
        raise TransitionInterdite(
            f"La pièce est attendue jusqu'au {candidature.date_limite:%d/%m/%Y} : la caducité se constate après.",
            code="transition",
        )
    WORKFLOW_CANDIDATURE.appliquer(
        candidature,
        "constater_caducite",
        auteur=AUTOMATE,
        commentaire=f"{candidature.get_piece_manquante_display()} non reçue au {candidature.date_limite:%d/%m/%Y}",
    )
    _clore_positionnement(candidature, AUTOMATE, "Condition suspensive non levée à temps")
    _passer_au_suivant(candidature.examen, AUTOMATE)
    return candidature


@dataclass
class BilanCaducites:
    constatees: int = 0
    deja_traitees: int = 0


def constater_caducites_echues(le: date | None = None) -> BilanCaducites:
    """Job de nuit, idempotent : chaque condition suspensive dont le délai est passé devient caduque.

    Une candidature déjà traitée (autre passage, pièce reçue entre-temps) est relue sous verrou et laissée ;
    relancé, le job ne refait rien. Une transaction par candidature.
    """
    le = le or timezone.localdate()
    bilan = BilanCaducites()
    echues = Candidature.objects.filter(etat=C.SOUS_CONDITION, date_limite__lt=le).order_by("pk")
    for pk in list(echues.values_list("pk", flat=True)):
        try:
            constater_caducite(candidature=Candidature(pk=pk), le=le)
        except TransitionInterdite:
            bilan.deja_traitees += 1
        else:
            bilan.constatees += 1
    return bilan


# ---------------------------------------------------------------- bail signé


def details_satisfaction(candidature: Candidature, bail: Bail) -> dict:
    """Détails de l'événement « satisfaction » (contrat de l'observatoire et du portail)."""
    disponibilite = candidature.examen.disponibilite
    logement = disponibilite.logement
    reservataire = disponibilite.reservataire
    return {
        "disponibilite": disponibilite.pk,
        "logement": logement.pk,
        "bien": bien(disponibilite),
        "bailleur": logement.bailleur.nom,
        "commune": logement.commune_id,
        "typologie": logement.typologie,
        "financement": logement.financement,
        "qpv": bool(logement.qpv),
        "reservataire": reservataire.pk if reservataire else None,
        "contingent": CONTINGENTS.get(reservataire.type, "") if reservataire else "",
        "bail_signe_le": bail.signe_le.isoformat(),
        "entree_le": bail.entree_le.isoformat(),
        "rang": candidature.rang,
    }


@transaction.atomic
def signer_bail(*, auteur, candidature: Candidature, signe_le: date, entree_le: date) -> Bail:
    """Bail signé : la demande est satisfaite (R441-2-8 a), les candidats classés derrière reçoivent la
    non-attribution, la vacance est attribuée et close — dans une seule transaction."""
    candidature = _verrouiller_candidature(auteur, candidature)
    WORKFLOW_CANDIDATURE.verifier(candidature, "signer_bail")
    examen, disponibilite = candidature.examen, candidature.examen.disponibilite
    signe_le = _date_du_jour(signe_le, champ="signe_le", apres=examen.seance.date, libelle="La date de signature")
    if entree_le is None:
        raise ValidationError({"entree_le": "Indiquez la date d'entrée dans les lieux."})
    if entree_le < signe_le:
        raise ValidationError({"entree_le": "L'entrée dans les lieux suit la signature du bail."})
    if entree_le > signe_le + timedelta(days=HORIZON_SEANCE_JOURS):
        raise ValidationError({"entree_le": "L'entrée dans les lieux est au plus un an après la signature."})
    qui = Auteur.agent(auteur)
    bail = Bail.objects.create(
        candidature=candidature,
        disponibilite=disponibilite,
        demande_id=candidature.demande_id,
        reservataire=disponibilite.reservataire,
        bailleur_id=disponibilite.logement.bailleur_id,
        signe_le=signe_le,
        entree_le=entree_le,
    )
    WORKFLOW_CANDIDATURE.appliquer(
        candidature, "signer_bail", auteur=qui, commentaire=f"Bail signé le {signe_le:%d/%m/%Y}"
    )
    positionnement = Positionnement.objects.select_for_update().get(pk=candidature.positionnement_id)
    if positionnement.etat == Positionnement.Etat.POSITIONNE:
        WORKFLOW_POSITIONNEMENT.appliquer(positionnement, "retenir", auteur=qui, commentaire="Bail signé")
    cycle.satisfaire_demande(
        candidature.demande,
        auteur=qui,
        precisions=f"Bail signé le {signe_le:%d/%m/%Y}, entrée le {entree_le:%d/%m/%Y} - "
        f"{seance_libelle(examen.seance)} - Rang : {candidature.rang} - bien {bien(disponibilite)}",
        le=signe_le,
        details=details_satisfaction(candidature, bail),
    )
    derriere = examen.candidatures.select_for_update().filter(etat__in=[C.EN_ATTENTE, C.SOUS_CONDITION])
    for autre in derriere.select_related("demande").order_by("rang"):
        autre.examen = examen
        WORKFLOW_CANDIDATURE.appliquer(autre, "ecarter", auteur=qui, commentaire=NON_ATTRIBUTION_BAIL)
        ecrire_evenement(
            autre.demande, Type.NON_ATTRIBUTION, qui, precisions=NON_ATTRIBUTION_BAIL, details=_details(autre)
        )
    for restant in Positionnement.objects.select_for_update().filter(disponibilite=disponibilite).actifs():
        if restant.pk != positionnement.pk and restant.etat == Positionnement.Etat.POSITIONNE:
            WORKFLOW_POSITIONNEMENT.appliquer(restant, "clore", auteur=qui, commentaire="Logement attribué")
    _retirer_ailleurs(candidature, qui, f"Demande satisfaite : bail signé sur {bien(disponibilite)}")
    if disponibilite.etat == EtatDisponibilite.A_POURVOIR:
        offre.suivre_instruction(auteur=qui, disponibilite=disponibilite, action="engager", motif="Bail signé")
    offre.suivre_instruction(
        auteur=qui, disponibilite=disponibilite, action="attribuer", motif=f"Bail signé le {signe_le:%d/%m/%Y}"
    )
    return bail


def _retirer_ailleurs(candidature: Candidature, qui: Auteur, motif: str) -> None:
    """La demande satisfaite quitte ses autres logements : candidatures en lice retirées (le logement passe au
    classé suivant), autres positionnements clos ; une vacance sans plus aucun candidat redevient à pourvoir."""
    autres = (
        Candidature.objects.select_for_update(of=("self",))
        .filter(demande=candidature.demande_id, etat__in=[C.INSCRITE, *Candidature.ETATS_EN_LICE])
        .exclude(pk=candidature.pk)
        .select_related("examen__seance__commission", "examen__disponibilite__logement__programme")
    )
    for autre in autres:
        WORKFLOW_CANDIDATURE.appliquer(autre, "retirer", auteur=qui, commentaire=motif)
        _passer_au_suivant(autre.examen, qui)
    positionnements = (
        Positionnement.objects.select_for_update(of=("self",))
        .filter(demande=candidature.demande_id)
        .actifs()
        .exclude(disponibilite=candidature.examen.disponibilite_id)
        .select_related("disponibilite")
    )
    for positionnement in positionnements:
        action = "clore" if positionnement.etat == Positionnement.Etat.POSITIONNE else "retirer"
        WORKFLOW_POSITIONNEMENT.appliquer(positionnement, action, auteur=qui, commentaire=motif)
        vacance = positionnement.disponibilite
        if not Positionnement.objects.filter(disponibilite=vacance).actifs().exists():
            offre.suivre_instruction(
                auteur=qui, disponibilite=vacance, action="remettre_a_pourvoir", motif="Plus aucun candidat positionné"
            )


# ---------------------------------------------------------------- séance close


@transaction.atomic
def clore_seance(*, auteur, seance: Seance) -> Seance:
    """La séance est close quand la commission a statué sur chaque candidat inscrit (procès-verbal arrêté)."""
    seance = _verrouiller_seance(auteur, seance)
    restants = Candidature.objects.filter(examen__seance=seance, etat=C.INSCRITE).count()
    if restants:
        raise TransitionInterdite(
            f"{restants} candidat(s) sans décision : la séance se clôt quand chaque candidat a sa décision.",
            code="transition",
        )
    WORKFLOW_SEANCE.appliquer(seance, "clore", auteur=Auteur.agent(auteur))
    return seance


# ---------------------------------------------------------------- gestion en flux


@transaction.atomic
def fixer_objectif(*, auteur, reservataire: Organisme, annee: int, objectif: int) -> ObjectifFlux:
    """Le bailleur fixe l'objectif annuel d'attributions d'un réservataire sur son flux."""
    if not (gere_offre(auteur) and auteur.organisme_id):
        raise PermissionDenied("Seuls les agents d'un bailleur fixent les objectifs de flux de leurs réservataires.")
    if reservataire.type not in TYPES_RESERVATAIRES:
        raise ValidationError({"reservataire": "Cet organisme n'est pas réservataire."})
    if objectif < 0:
        raise ValidationError({"objectif": "L'objectif est un nombre d'attributions, positif ou nul."})
    ligne, _ = ObjectifFlux.objects.update_or_create(
        reservataire=reservataire, bailleur_id=auteur.organisme_id, annee=annee, defaults={"objectif": objectif}
    )
    return ligne
