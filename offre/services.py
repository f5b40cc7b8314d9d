"""Écritures du parc : programmes, logements, disponibilités.

Chaque service vérifie lui-même que l'auteur est un instructeur du bailleur
propriétaire (``gere_offre`` et ``modifiables_par``), quel que soit l'écran ou
l'API qui l'appelle ; il est atomique et ne reçoit jamais la requête HTTP.
L'import en masse est dans ``offre/importation/``.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from fdls.socle.dates import controler_date
from fdls.socle.workflow import CREATION, Auteur, TransitionInterdite
from offre.models import (
    ETATS_OUVERTS,
    WORKFLOW_DISPONIBILITE,
    Disponibilite,
    EtatDisponibilite,
    Logement,
    Programme,
    gere_offre,
)

CHAMPS_PROGRAMME = ("code", "nom", "adresse", "commune", "quartier", "qpv", "annee_construction", "financement")
CHAMPS_LOGEMENT = (
    "code",
    "typologie",
    "categorie",
    "nature",
    "surface",
    "etage",
    "ascenseur",
    "accessibilite",
    "loyer",
    "charges",
    "financement",
    "reservataire",
    "dpe",
    "loyer_accessible",
    "labels",
)
# Les codes identifient les lignes des fichiers d'import (mise à jour par code) : ils ne changent plus.
CODES_FIGES = frozenset({"code"})

REFUS_ECRITURE = "Seuls les instructeurs du bailleur propriétaire modifient ce parc."


def verifier_gestion(auteur) -> None:
    if not gere_offre(auteur):
        raise PermissionDenied("La gestion du parc est réservée aux instructeurs d'un bailleur social.")


def _appliquer(objet, champs: dict, autorises, *, creation: bool) -> None:
    for nom in autorises:
        if nom in champs and (creation or nom not in CODES_FIGES):
            setattr(objet, nom, champs[nom])


def _enregistrer(objet, *, champ_code: str = "code") -> None:
    """``save()`` sous point de sauvegarde : deux créations simultanées du même
    code donnent une erreur sur le champ, pas une erreur serveur."""
    try:
        with transaction.atomic():
            objet.save()
    except IntegrityError as erreur:
        if "unique" in str(erreur).lower() or "dupliqu" in str(erreur).lower():
            raise ValidationError({champ_code: "Ce code est déjà utilisé."}) from erreur
        raise


@transaction.atomic
def creer_programme(*, auteur, champs: dict) -> Programme:
    """Crée un programme du bailleur de l'auteur."""
    verifier_gestion(auteur)
    programme = Programme(bailleur=auteur.organisme)
    _appliquer(programme, champs, CHAMPS_PROGRAMME, creation=True)
    if programme.commune_id:
        programme.localiser()
    programme.full_clean(validate_constraints=False)
    if Programme.objects.filter(bailleur=programme.bailleur_id, code=programme.code).exists():
        raise ValidationError({"code": f"{auteur.organisme.nom} a déjà un programme de code {programme.code}."})
    _enregistrer(programme)
    return programme


@transaction.atomic
def modifier_programme(*, auteur, programme: Programme, champs: dict) -> Programme:
    """Modifie un programme ; sa localisation est recopiée sur ses logements."""
    verifier_gestion(auteur)
    programme = Programme.objects.modifiables_par(auteur).select_for_update().filter(pk=programme.pk).first()
    if programme is None:
        raise PermissionDenied(REFUS_ECRITURE)
    _appliquer(programme, champs, CHAMPS_PROGRAMME, creation=False)
    programme.localiser()
    programme.full_clean()
    programme.save()
    programme.logements.update(
        commune=programme.commune_id,
        departement=programme.departement_id,
        quartier=programme.quartier_id,
        qpv=programme.qpv,
    )
    return programme


@transaction.atomic
def creer_logement(*, auteur, programme: Programme, champs: dict) -> Logement:
    """Crée un logement dans un programme du bailleur de l'auteur."""
    verifier_gestion(auteur)
    programme = Programme.objects.modifiables_par(auteur).filter(pk=programme.pk).first()
    if programme is None:
        raise PermissionDenied(REFUS_ECRITURE)
    logement = Logement(programme=programme)
    _appliquer(logement, champs, CHAMPS_LOGEMENT, creation=True)
    logement.copier_localisation()
    logement.full_clean(validate_constraints=False)
    if Logement.objects.filter(programme=programme, code=logement.code).exists():
        raise ValidationError({"code": f"Le programme {programme.code} a déjà un logement de code {logement.code}."})
    _enregistrer(logement)
    return logement


@transaction.atomic
def modifier_logement(*, auteur, logement: Logement, champs: dict) -> Logement:
    """Modifie la description, le loyer ou le réservataire d'un logement."""
    verifier_gestion(auteur)
    logement = (
        Logement.objects.modifiables_par(auteur)
        .select_for_update(of=("self",))
        .select_related("programme")
        .filter(pk=logement.pk)
        .first()
    )
    if logement is None:
        raise PermissionDenied(REFUS_ECRITURE)
    _appliquer(logement, champs, CHAMPS_LOGEMENT, creation=False)
    logement.full_clean(validate_constraints=False)
    logement.save()
    return logement


#: Une vacance se déclare au plus deux ans à l'avance (au-delà, une faute de frappe sur l'année).
JOURS_VACANCE_MAX = 2 * 366


def verifier_date_disponibilite(valeur) -> None:
    """Date de vacance (écran, API, import) : ni avant 1900, ni plus de deux ans après aujourd'hui."""
    try:
        controler_date(valeur, libelle="La date de disponibilité", futur_max_jours=JOURS_VACANCE_MAX)
    except ValidationError as erreur:
        raise ValidationError({"date_disponibilite": erreur.messages}) from None


@transaction.atomic
def declarer_disponibilite(
    *, auteur, logement: Logement, date_disponibilite, motif: str, reservataire=None, commentaire: str = ""
) -> Disponibilite:
    """Déclare la vacance d'un logement : il est « à pourvoir » à partir de la date."""
    verifier_gestion(auteur)
    # Verrou sur le logement : deux déclarations simultanées ne créent pas deux vacances.
    logement = Logement.objects.modifiables_par(auteur).select_for_update().filter(pk=logement.pk).first()
    if logement is None:
        raise PermissionDenied(REFUS_ECRITURE)
    if logement.disponibilites.ouvertes().exists():
        raise ValidationError(
            {"logement": "Ce logement a déjà une vacance à pourvoir ou en cours d'attribution : terminez-la d'abord."}
        )
    verifier_date_disponibilite(date_disponibilite)
    disponibilite = Disponibilite(
        logement=logement,
        date_disponibilite=date_disponibilite,
        motif=motif,
        reservataire=reservataire,
        commentaire=commentaire,
        cree_par=auteur,
        etat=EtatDisponibilite.A_POURVOIR,
    )
    disponibilite.full_clean(validate_constraints=False)
    disponibilite.save()
    Logement.objects.filter(pk=logement.pk).update(vacance=EtatDisponibilite.A_POURVOIR)
    WORKFLOW_DISPONIBILITE.journaliser(
        disponibilite,
        WORKFLOW_DISPONIBILITE["declarer"],
        auteur=Auteur.agent(auteur),
        avant=CREATION,
        commentaire=commentaire,
    )
    return disponibilite


@transaction.atomic
def changer_etat_disponibilite(*, auteur, disponibilite: Disponibilite, etat: str, motif: str = "") -> Disponibilite:
    """Fait passer une disponibilité dans un autre état selon la table de
    transitions (docs/statuts.md) et journalise le changement."""
    verifier_gestion(auteur)
    disponibilite = (
        Disponibilite.objects.modifiables_par(auteur)
        .select_for_update(of=("self",))
        .filter(pk=disponibilite.pk)
        .first()
    )
    if disponibilite is None:
        raise PermissionDenied(REFUS_ECRITURE)
    try:
        transition = WORKFLOW_DISPONIBILITE.vers(disponibilite, etat)
    except TransitionInterdite as refus:
        # L'état d'arrivée est un champ du formulaire et de l'API : l'erreur s'y place (400).
        raise ValidationError({"etat": refus.messages}) from refus
    motif = (motif or "").strip()
    if transition.motif_obligatoire and not motif:
        raise ValidationError({"motif": "Indiquez le motif de ce changement d'état."})
    WORKFLOW_DISPONIBILITE.appliquer(disponibilite, transition.nom, auteur=Auteur.agent(auteur), commentaire=motif)
    Logement.objects.filter(pk=disponibilite.logement_id).update(vacance=etat if etat in ETATS_OUVERTS else "")
    return disponibilite


@transaction.atomic
def suivre_instruction(*, auteur: Auteur, disponibilite: Disponibilite, action: str, motif: str = "") -> bool:
    """La vacance suit son instruction (``instruction.propositions``) : « engager » au premier candidat
    positionné, « remettre_a_pourvoir » quand il n'en reste plus. L'appelant a vérifié le droit d'instruire
    la vacance (bailleur propriétaire ou réservataire dont c'est le tour) et tient son verrou. Sans effet (et
    ``False``) si l'état actuel ne permet pas l'action : la vacance a déjà suivi."""
    if not WORKFLOW_DISPONIBILITE[action].part_de(disponibilite.etat):
        return False
    WORKFLOW_DISPONIBILITE.appliquer(disponibilite, action, auteur=auteur, commentaire=motif)
    etat = disponibilite.etat
    Logement.objects.filter(pk=disponibilite.logement_id).update(vacance=etat if etat in ETATS_OUVERTS else "")
    return True
