"""Actions de l'instruction d'une vacance : contacter, positionner, retirer, proposer, répondre, visiter.

Chaque service est atomique, reçoit l'agent (``auteur``, un utilisateur ; un
``Auteur`` pour le traitement automatisé), vérifie lui-même le droit
d'instruire la vacance (``selectors.peut_instruire``), passe par la table de
transitions de l'objet (``workflow.py``, journal écrit dans la même
transaction) et écrit l'événement de l'historique de la demande dans le
libellé du seed 000 (``demandes.dossier.workflow.ecrire_evenement``) :

* contact → « Contact demandeur », ou « Refus d'être positionné en CAL après
  un contact » si le candidat refuse d'être positionné (décote de l'annexe 1 :
  le signal ``demande_changee`` part aussitôt, la cotation se recalcule) ;
* positionnement → « Positionnement sur un logement » ; retrait → « Retrait du
  positionnement sur un logement » ;
* proposition → « Proposition de logement » (« Création proposition N ») ;
  acceptation, refus (motif obligatoire : « Taille du logement / Surface des
  pièces »), absence de réponse après la date limite ;
* visite → « Visite de logement » (prévue, réalisée avec son bilan, annulée).

La vacance suit (``offre.services.suivre_instruction``) : le premier candidat
positionné la fait passer « à pourvoir → en cours d'attribution » ; quand plus
aucun positionnement n'est actif (retrait, refus d'être positionné,
proposition refusée ou sans réponse), elle redevient « à pourvoir »
(docs/decisions.md, session 10).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from demandes.dossier.signaux import signaler
from demandes.dossier.workflow import EVENEMENTS_QUI_COTENT, ecrire_evenement
from demandes.models import Demande, Evenement
from fdls.organismes.models import Organisme
from fdls.socle.workflow import AUTOMATE, Auteur, TransitionInterdite, auteur_de
from instruction.propositions import selectors
from instruction.propositions.models import Contact, MotifRefus, Positionnement, Proposition, Visite
from instruction.propositions.workflow import (
    WORKFLOW_CONTACT,
    WORKFLOW_POSITIONNEMENT,
    WORKFLOW_PROPOSITION,
    WORKFLOW_VISITE,
)
from offre import services as offre
from offre.models import TYPES_RESERVATAIRES, Disponibilite, EtatDisponibilite, gere_offre

Type = Evenement.Type

REFUS_INSTRUCTION = (
    "Seuls les instructeurs du bailleur du logement et le réservataire de la vacance instruisent ce logement."
)
#: Délai de réponse à une proposition proposé par défaut (jours) et délai maximal accepté.
DELAI_REPONSE_JOURS = 10
DELAI_REPONSE_MAX_JOURS = 90
#: Une visite se planifie au plus un an à l'avance.
HORIZON_VISITE_JOURS = 365
MOTIF_PLUS_DE_CANDIDAT = "Plus aucun candidat positionné"
MOTIF_PREMIER_CANDIDAT = "Premier candidat positionné"


# ---------------------------------------------------------------- aides


def bien(disponibilite: Disponibilite) -> str:
    """Le logement tel que l'historique le cite (seed 000 : « KALLIMA 2 (0629 - 0013) »)."""
    return str(disponibilite.logement)


def _verrouiller_disponibilite(auteur, disponibilite) -> Disponibilite:
    disponibilite = (
        Disponibilite.objects.select_for_update(of=("self",))
        .select_related("logement__programme")
        .get(pk=disponibilite.pk)
    )
    if not selectors.peut_instruire(auteur, disponibilite):
        raise PermissionDenied(REFUS_INSTRUCTION)
    return disponibilite


def _verrouiller_positionnement(auteur, positionnement) -> Positionnement:
    disponibilite = _verrouiller_disponibilite(auteur, positionnement.disponibilite)
    positionnement = Positionnement.objects.select_for_update().select_related("demande").get(pk=positionnement.pk)
    positionnement.disponibilite = disponibilite
    return positionnement


def _verifier_date(valeur: date, *, champ: str, demande: Demande, libelle: str, futur_jusqu_a: date | None = None):
    """Pas avant 1900, pas avant le dépôt de la demande, pas dans un futur impossible."""
    aujourd_hui = timezone.localdate()
    if valeur.year < 1900:
        raise ValidationError({champ: f"{libelle} est antérieure à 1900 : vérifiez l'année."})
    depot = demande.date_depot or timezone.localdate(demande.created_at)
    if valeur < depot:
        raise ValidationError({champ: f"{libelle} précède le dépôt de la demande (le {depot:%d/%m/%Y})."})
    limite = futur_jusqu_a or aujourd_hui
    if valeur > limite:
        if limite == aujourd_hui:
            raise ValidationError({champ: f"{libelle} est dans le futur : indiquez une date passée ou du jour."})
        raise ValidationError({champ: f"{libelle} est trop lointaine (au plus le {limite:%d/%m/%Y})."})


def _motif(valeur: str, *, champ: str = "motif", obligatoire: bool = True) -> str:
    valeur = (valeur or "").strip()
    if not valeur:
        if obligatoire:
            raise ValidationError({champ: "Indiquez le motif."})
        return ""
    if valeur not in MotifRefus.values:
        raise ValidationError({champ: "Motif inconnu : choisissez-le dans la liste."})
    return valeur


def _liberer_si_vide(disponibilite: Disponibilite, auteur: Auteur) -> None:
    """Plus aucun positionnement actif : la vacance redevient « à pourvoir »."""
    if disponibilite.etat != EtatDisponibilite.EN_COURS:
        return
    if Positionnement.objects.filter(disponibilite=disponibilite).actifs().exists():
        return
    offre.suivre_instruction(
        auteur=auteur, disponibilite=disponibilite, action="remettre_a_pourvoir", motif=MOTIF_PLUS_DE_CANDIDAT
    )


def _clore_positionnement(positionnement: Positionnement, auteur: Auteur, *, commentaire: str) -> None:
    if positionnement.etat == Positionnement.Etat.POSITIONNE:
        WORKFLOW_POSITIONNEMENT.appliquer(positionnement, "clore", auteur=auteur, commentaire=commentaire)
        _liberer_si_vide(positionnement.disponibilite, auteur)


# ---------------------------------------------------------------- positionnement


def _designation(auteur, disponibilite, designation: str | None, reservataire) -> tuple[str, Organisme | None]:
    D = Positionnement.Designation
    bailleur = disponibilite.logement.bailleur_id == auteur.organisme_id and gere_offre(auteur)
    if not designation:
        designation = D.BAILLEUR if bailleur else D.RESERVATAIRE
    if designation not in D.values:
        raise ValidationError({"designation": "Désignation inconnue : bailleur ou réservataire."})
    if designation == D.BAILLEUR:
        if not bailleur:
            raise ValidationError({"designation": "Seul le bailleur du logement positionne sur sa propre désignation."})
        return designation, None
    if not bailleur:
        # Un réservataire ne désigne que pour lui-même.
        if reservataire is not None and reservataire.pk != auteur.organisme_id:
            raise ValidationError({"reservataire": "Un réservataire ne désigne des candidats que pour lui-même."})
        return designation, auteur.organisme
    reservataire = reservataire or disponibilite.reservataire or disponibilite.logement.reservataire
    if reservataire is None:
        raise ValidationError({"reservataire": "Indiquez le réservataire qui désigne ce candidat."})
    if reservataire.type not in TYPES_RESERVATAIRES:
        raise ValidationError(
            {"reservataire": "Cet organisme n'est pas réservataire (État, Action Logement, collectivité)."}
        )
    return designation, reservataire


@transaction.atomic
def positionner_candidat(
    *, auteur, disponibilite: Disponibilite, demande: Demande, designation: str | None = None, reservataire=None
) -> Positionnement:
    """Positionne une demande active sur une vacance ouverte, au rang suivant ; la vacance passe « en cours »."""
    disponibilite = _verrouiller_disponibilite(auteur, disponibilite)
    if not disponibilite.ouverte:
        raise TransitionInterdite(
            f"Cette vacance est « {disponibilite.get_etat_display().lower()} » : on n'y positionne plus de candidat.",
            code="transition",
        )
    if not Demande.objects.visibles_par(auteur).filter(pk=demande.pk).exists():
        raise ValidationError({"demande": "Cette demande n'existe pas ou n'est pas dans votre territoire."})
    demande = Demande.objects.get(pk=demande.pk)
    if demande.etat != Demande.Etat.ACTIVE:
        raise ValidationError(
            {"demande": f"Seule une demande active se positionne : elle est « {demande.get_etat_display().lower()} »."}
        )
    if Positionnement.objects.filter(disponibilite=disponibilite, demande=demande).actifs().exists():
        raise ValidationError({"demande": "Cette demande est déjà positionnée sur ce logement."})
    designation, reservataire = _designation(auteur, disponibilite, designation, reservataire)
    rang = (Positionnement.objects.filter(disponibilite=disponibilite).aggregate(m=Max("rang"))["m"] or 0) + 1
    positionnement = Positionnement(
        disponibilite=disponibilite,
        demande=demande,
        designation=designation,
        reservataire=reservataire,
        rang=rang,
        organisme_id=auteur.organisme_id,
    )
    qui = Auteur.agent(auteur)
    try:
        with transaction.atomic():
            WORKFLOW_POSITIONNEMENT.appliquer(positionnement, "positionner", auteur=qui)
    except IntegrityError as erreur:
        raise ValidationError({"demande": "Cette demande est déjà positionnée sur ce logement."}) from erreur
    ecrire_evenement(
        demande,
        Type.POSITIONNEMENT,
        qui,
        precisions=f"Rang {rang} - {positionnement.designation_libelle} - bien {bien(disponibilite)}",
        details={"positionnement": positionnement.pk, "disponibilite": disponibilite.pk, "rang": rang},
    )
    offre.suivre_instruction(auteur=qui, disponibilite=disponibilite, action="engager", motif=MOTIF_PREMIER_CANDIDAT)
    return positionnement


@transaction.atomic
def retirer_positionnement(*, auteur, positionnement: Positionnement, motif: str) -> Positionnement:
    """Retire un candidat de la vacance (motif écrit) ; sans candidat actif, la vacance redevient à pourvoir."""
    positionnement = _verrouiller_positionnement(auteur, positionnement)
    qui = Auteur.agent(auteur)
    WORKFLOW_POSITIONNEMENT.appliquer(positionnement, "retirer", auteur=qui, commentaire=motif or "")
    ecrire_evenement(
        positionnement.demande,
        Type.RETRAIT_POSITIONNEMENT,
        qui,
        precisions=f"{motif.strip()} - bien {bien(positionnement.disponibilite)}",
        details={"positionnement": positionnement.pk, "disponibilite": positionnement.disponibilite_id},
    )
    _liberer_si_vide(positionnement.disponibilite, qui)
    return positionnement


# ---------------------------------------------------------------- contact


def saisie_contact(donnees) -> dict:
    """Arguments de ``contacter`` tirés d'une saisie validée (formulaire de l'écran ou sérialiseur de l'API)."""
    return {
        "date_contact": donnees["date"],
        **{champ: donnees[champ] for champ in ("etape", "mode", "resultat", "motif", "commentaire")},
    }


@transaction.atomic
def contacter(
    *,
    auteur,
    disponibilite: Disponibilite | None = None,
    demande: Demande | None = None,
    positionnement: Positionnement | None = None,
    date_contact: date,
    mode: str,
    resultat: str,
    motif: str = "",
    etape: str = Contact.Etape.PRE_CAL,
    commentaire: str = "",
) -> Contact:
    """Note un contact avec un candidat (positionné, ou seulement pressenti sur la vacance).

    Un refus d'être positionné écrit son propre événement (décote de l'annexe 1)
    et clôt le positionnement.
    """
    if positionnement is not None:
        positionnement = _verrouiller_positionnement(auteur, positionnement)
        disponibilite, demande = positionnement.disponibilite, positionnement.demande
    else:
        if disponibilite is None or demande is None:
            raise ValidationError("Un contact porte sur un candidat positionné, ou sur une demande et une vacance.")
        disponibilite = _verrouiller_disponibilite(auteur, disponibilite)
        if not Demande.objects.visibles_par(auteur).filter(pk=demande.pk).exists():
            raise ValidationError({"demande": "Cette demande n'existe pas ou n'est pas dans votre territoire."})
        demande = Demande.objects.get(pk=demande.pk)
    erreurs = {}
    if mode not in Contact.Mode.values:
        erreurs["mode"] = "Choisissez le mode du contact (téléphone, courrier, courriel, SMS, entretien)."
    if resultat not in Contact.Resultat.values:
        erreurs["resultat"] = "Choisissez le résultat du contact."
    if etape not in Contact.Etape.values:
        erreurs["etape"] = "Choisissez l'étape du contact."
    if erreurs:
        raise ValidationError(erreurs)
    motif = _motif(motif, obligatoire=resultat in Contact.RESULTATS_MOTIVES)
    _verifier_date(date_contact, champ="date", demande=demande, libelle="La date du contact")
    qui = Auteur.agent(auteur)
    contact = Contact(
        demande=demande,
        disponibilite=disponibilite,
        positionnement=positionnement,
        date=date_contact,
        etape=etape,
        mode=mode,
        resultat=resultat,
        motif=motif,
        commentaire=(commentaire or "").strip(),
        auteur=auteur,
        organisme_id=qui.organisme_id,
    )
    WORKFLOW_CONTACT.appliquer(contact, "contacter", auteur=qui, commentaire=contact.commentaire)
    libelle_motif = MotifRefus(motif).label if motif else ""
    date_evenement = moment_du_jour(date_contact)
    details = {"contact": contact.pk, "disponibilite": disponibilite.pk, "resultat": resultat, "mode": mode}
    if resultat == Contact.Resultat.REFUS_POSITIONNEMENT:
        # Seed 000 : le motif en précision, comme le refus d'une proposition.
        ecrire_evenement(
            demande,
            Type.REFUS_POSITIONNEMENT,
            qui,
            precisions=f"{libelle_motif} - bien {bien(disponibilite)}",
            details={**details, "motif": motif},
            date=date_evenement,
        )
        if Type.REFUS_POSITIONNEMENT not in EVENEMENTS_QUI_COTENT:
            # La décote « refus d'être positionné » change les points tout de suite.
            signaler(demande, Type.REFUS_POSITIONNEMENT.label)
        if positionnement is not None and positionnement.etat == Positionnement.Etat.POSITIONNE:
            WORKFLOW_POSITIONNEMENT.appliquer(positionnement, "decliner", auteur=qui, commentaire=libelle_motif)
            _liberer_si_vide(disponibilite, qui)
    else:
        parties = [contact.get_etape_display(), contact.get_resultat_display(), f"Mode : {contact.get_mode_display()}"]
        if libelle_motif:
            parties.append(f"Motif : {libelle_motif}")
        parties.append(f"bien {bien(disponibilite)}")
        ecrire_evenement(
            demande, Type.CONTACT, qui, precisions=" - ".join(parties), details=details, date=date_evenement
        )
    return contact


def moment_du_jour(jour: date) -> datetime:
    """L'instant d'un événement daté d'un jour passé : ce jour, à l'heure de la saisie ; aujourd'hui : maintenant."""
    maintenant = timezone.localtime()
    if jour >= maintenant.date():
        return timezone.now()
    return timezone.make_aware(datetime.combine(jour, maintenant.time().replace(microsecond=0)))


# ---------------------------------------------------------------- proposition


@transaction.atomic
def proposer_logement(
    *,
    auteur,
    positionnement: Positionnement,
    date_envoi: date | None = None,
    date_limite: date | None = None,
    commentaire: str = "",
) -> Proposition:
    """Propose le logement au candidat positionné (une proposition en attente au plus par candidat)."""
    positionnement = _verrouiller_positionnement(auteur, positionnement)
    if positionnement.etat != Positionnement.Etat.POSITIONNE:
        raise TransitionInterdite(
            f"Impossible de proposer le logement : le candidat est « {positionnement.get_etat_display().lower()} ».",
            code="transition",
        )
    if Proposition.objects.filter(positionnement=positionnement, etat=Proposition.Etat.ENVOYEE).exists():
        raise TransitionInterdite("Une proposition attend déjà la réponse de ce candidat.", code="transition")
    date_envoi = date_envoi or timezone.localdate()
    _verifier_date(date_envoi, champ="date_envoi", demande=positionnement.demande, libelle="La date d'envoi")
    date_limite = date_limite or date_envoi + timedelta(days=DELAI_REPONSE_JOURS)
    if date_limite < date_envoi:
        raise ValidationError({"date_limite": "La date limite de réponse suit la date d'envoi."})
    if date_limite > date_envoi + timedelta(days=DELAI_REPONSE_MAX_JOURS):
        raise ValidationError(
            {"date_limite": f"La date limite de réponse est au plus {DELAI_REPONSE_MAX_JOURS} jours après l'envoi."}
        )
    qui = Auteur.agent(auteur)
    proposition = Proposition(
        positionnement=positionnement,
        demande=positionnement.demande,
        disponibilite=positionnement.disponibilite,
        date_envoi=date_envoi,
        date_limite=date_limite,
        commentaire=(commentaire or "").strip(),
        organisme_id=qui.organisme_id,
    )
    WORKFLOW_PROPOSITION.appliquer(proposition, "proposer", auteur=qui, commentaire=proposition.commentaire)
    ecrire_evenement(
        positionnement.demande,
        Type.PROPOSITION,
        qui,
        precisions=f"Création proposition {proposition.pk} - bien {bien(positionnement.disponibilite)} - "
        f"réponse attendue avant le {date_limite:%d/%m/%Y}",
        details={"proposition": proposition.pk, "disponibilite": positionnement.disponibilite_id},
        date=moment_du_jour(date_envoi),
    )
    return proposition


def _verrouiller_proposition(auteur, proposition) -> tuple[Proposition, Positionnement]:
    positionnement = _verrouiller_positionnement(auteur, proposition.positionnement)
    proposition = Proposition.objects.select_for_update().get(pk=proposition.pk)
    return proposition, positionnement


def _date_reponse(proposition: Proposition, date_reponse: date | None) -> date:
    date_reponse = date_reponse or timezone.localdate()
    if date_reponse < proposition.date_envoi:
        raise ValidationError({"date_reponse": "La réponse ne peut précéder l'envoi de la proposition."})
    if date_reponse > timezone.localdate():
        raise ValidationError({"date_reponse": "La date de la réponse est dans le futur."})
    return date_reponse


@transaction.atomic
def accepter_proposition(*, auteur, proposition: Proposition, date_reponse: date | None = None) -> Proposition:
    """Le candidat accepte : la proposition est acceptée, son positionnement est retenu."""
    proposition, positionnement = _verrouiller_proposition(auteur, proposition)
    WORKFLOW_PROPOSITION.verifier(proposition, "accepter")
    proposition.date_reponse = _date_reponse(proposition, date_reponse)
    qui = Auteur.agent(auteur)
    WORKFLOW_PROPOSITION.appliquer(proposition, "accepter", auteur=qui, champs=["date_reponse"])
    WORKFLOW_POSITIONNEMENT.appliquer(positionnement, "retenir", auteur=qui)
    ecrire_evenement(
        proposition.demande,
        Type.ACCEPTATION_PROPOSITION,
        qui,
        precisions=f"Proposition {proposition.pk} acceptée - bien {bien(positionnement.disponibilite)}",
        details={"proposition": proposition.pk, "disponibilite": proposition.disponibilite_id},
        date=moment_du_jour(proposition.date_reponse),
    )
    return proposition


@transaction.atomic
def refuser_proposition(
    *, auteur, proposition: Proposition, motif: str, commentaire: str = "", date_reponse: date | None = None
) -> Proposition:
    """Le candidat refuse (motif obligatoire) : refus à l'historique (compté par la cotation), positionnement clos."""
    proposition, positionnement = _verrouiller_proposition(auteur, proposition)
    WORKFLOW_PROPOSITION.verifier(proposition, "refuser")
    motif = _motif(motif)
    proposition.date_reponse = _date_reponse(proposition, date_reponse)
    proposition.motif_refus = motif
    commentaire = (commentaire or "").strip()
    libelle = MotifRefus(motif).label
    qui = Auteur.agent(auteur)
    WORKFLOW_PROPOSITION.appliquer(
        proposition,
        "refuser",
        auteur=qui,
        commentaire=f"{libelle} - {commentaire}" if commentaire else libelle,
        champs=["date_reponse", "motif_refus"],
    )
    # Seed 000 : « Refus du demandeur d'une proposition de logement — Taille du logement / Surface des pièces ».
    ecrire_evenement(
        proposition.demande,
        Type.REFUS_PROPOSITION,
        qui,
        precisions=f"{libelle} - {commentaire}" if commentaire else libelle,
        details={"proposition": proposition.pk, "disponibilite": proposition.disponibilite_id, "motif": motif},
        date=moment_du_jour(proposition.date_reponse),
    )
    _clore_positionnement(positionnement, qui, commentaire=f"Proposition {proposition.pk} refusée : {libelle}")
    return proposition


@transaction.atomic
def constater_non_reponse(*, proposition: Proposition, auteur=AUTOMATE, le: date | None = None) -> Proposition:
    """La date limite est passée sans réponse : la proposition est « sans réponse », le positionnement clos."""
    le = le or timezone.localdate()
    qui = auteur_de(auteur)
    if qui.user is not None:
        proposition, positionnement = _verrouiller_proposition(qui.user, proposition)
    else:
        proposition = Proposition.objects.select_for_update().get(pk=proposition.pk)
        positionnement = (
            Positionnement.objects.select_for_update()
            .select_related("disponibilite__logement__programme")
            .get(pk=proposition.positionnement_id)
        )
    WORKFLOW_PROPOSITION.verifier(proposition, "constater_non_reponse")
    if proposition.date_limite >= le:
        raise TransitionInterdite(
            f"La réponse est attendue jusqu'au {proposition.date_limite:%d/%m/%Y} : "
            "l'absence de réponse se constate après cette date.",
            code="transition",
        )
    WORKFLOW_PROPOSITION.appliquer(proposition, "constater_non_reponse", auteur=qui)
    ecrire_evenement(
        proposition.demande,
        Type.NON_REPONSE_PROPOSITION,
        qui,
        precisions=f"Proposition {proposition.pk} du {proposition.date_envoi:%d/%m/%Y} - Non réponse au "
        f"{proposition.date_limite:%d/%m/%Y} - bien {bien(positionnement.disponibilite)}",
        details={"proposition": proposition.pk, "disponibilite": proposition.disponibilite_id},
    )
    _clore_positionnement(positionnement, qui, commentaire=f"Proposition {proposition.pk} sans réponse")
    return proposition


@dataclass
class BilanNonReponses:
    constatees: int = 0
    deja_traitees: int = 0


def constater_non_reponses_echues(le: date | None = None) -> BilanNonReponses:
    """Job de nuit : chaque proposition envoyée dont la date limite est passée devient « sans réponse ».

    Idempotent : une proposition déjà traitée (par un autre passage, un agent
    qui a saisi la réponse) est relue sous verrou et laissée ; relancé, le job
    ne refait rien. Une transaction par proposition.
    """
    le = le or timezone.localdate()
    bilan = BilanNonReponses()
    echues = Proposition.objects.filter(etat=Proposition.Etat.ENVOYEE, date_limite__lt=le).order_by("pk")
    for pk in list(echues.values_list("pk", flat=True)):
        try:
            constater_non_reponse(proposition=Proposition(pk=pk), auteur=AUTOMATE, le=le)
        except TransitionInterdite:
            bilan.deja_traitees += 1
        else:
            bilan.constatees += 1
    return bilan


# ---------------------------------------------------------------- visite


@transaction.atomic
def planifier_visite(*, auteur, positionnement: Positionnement, date_prevue: datetime) -> Visite:
    """Planifie la visite du logement par un candidat actif."""
    positionnement = _verrouiller_positionnement(auteur, positionnement)
    if not positionnement.actif:
        raise TransitionInterdite(
            f"Impossible de planifier une visite : le candidat est « {positionnement.get_etat_display().lower()} ».",
            code="transition",
        )
    if timezone.is_naive(date_prevue):
        date_prevue = timezone.make_aware(date_prevue)
    jour = timezone.localtime(date_prevue).date()
    _verifier_date(
        jour,
        champ="date_prevue",
        demande=positionnement.demande,
        libelle="La date de la visite",
        futur_jusqu_a=timezone.localdate() + timedelta(days=HORIZON_VISITE_JOURS),
    )
    qui = Auteur.agent(auteur)
    visite = Visite(
        positionnement=positionnement,
        demande=positionnement.demande,
        disponibilite=positionnement.disponibilite,
        date_prevue=date_prevue,
        organisme_id=qui.organisme_id,
    )
    WORKFLOW_VISITE.appliquer(visite, "planifier", auteur=qui)
    ecrire_evenement(
        positionnement.demande,
        Type.VISITE,
        qui,
        precisions=f"Visite prévue le {timezone.localtime(date_prevue):%d/%m/%Y à %H:%M} - bien "
        f"{bien(positionnement.disponibilite)}",
        details={"visite": visite.pk, "disponibilite": positionnement.disponibilite_id, "etat": "prevue"},
    )
    return visite


@transaction.atomic
def realiser_visite(*, auteur, visite: Visite, bilan: str) -> Visite:
    """La visite a eu lieu : son bilan (ou le motif d'un refus) est noté."""
    positionnement = _verrouiller_positionnement(auteur, visite.positionnement)
    visite = Visite.objects.select_for_update().get(pk=visite.pk)
    WORKFLOW_VISITE.verifier(visite, "realiser")
    bilan = (bilan or "").strip()
    if not bilan:
        raise ValidationError({"bilan": "Indiquez le bilan de la visite."})
    if timezone.localtime(visite.date_prevue).date() > timezone.localdate():
        raise ValidationError({"bilan": "La visite est prévue plus tard : son bilan se note une fois réalisée."})
    visite.bilan = bilan
    qui = Auteur.agent(auteur)
    WORKFLOW_VISITE.appliquer(visite, "realiser", auteur=qui, commentaire=bilan, champs=["bilan"])
    ecrire_evenement(
        visite.demande,
        Type.VISITE,
        qui,
        precisions=f"Visite réalisée le {timezone.localtime(visite.date_prevue):%d/%m/%Y} - Bilan : {bilan} - bien "
        f"{bien(positionnement.disponibilite)}",
        details={"visite": visite.pk, "disponibilite": visite.disponibilite_id, "etat": "realisee"},
    )
    return visite


@transaction.atomic
def annuler_visite(*, auteur, visite: Visite, motif: str) -> Visite:
    positionnement = _verrouiller_positionnement(auteur, visite.positionnement)
    visite = Visite.objects.select_for_update().get(pk=visite.pk)
    qui = Auteur.agent(auteur)
    WORKFLOW_VISITE.appliquer(visite, "annuler", auteur=qui, commentaire=motif or "")
    ecrire_evenement(
        visite.demande,
        Type.VISITE,
        qui,
        precisions=f"Visite du {timezone.localtime(visite.date_prevue):%d/%m/%Y} annulée : {motif.strip()} - bien "
        f"{bien(positionnement.disponibilite)}",
        details={"visite": visite.pk, "disponibilite": visite.disponibilite_id, "etat": "annulee"},
    )
    return visite
