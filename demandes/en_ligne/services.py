"""Demandes déposées en ligne : file « à valider », validation par un guichet, rejet.

Une demande déposée en ligne n'entre au fichier qu'après validation par un
guichet accompagnateur, qui contrôle l'identité du demandeur (seed 001 §1 :
« ces demandes sont validées par l'EHS quotidiennement avant intégration …
afin de s'assurer de la recevabilité de la pièce d'identité »). La validation
est l'enregistrement : numéro unique et référence sont attribués par
``cycle.services.enregistrer_demande`` au guichet qui valide, avec pour date de
dépôt celle du dépôt en ligne.

Ses transitions (``deposer_en_ligne``, ``valider_en_ligne``,
``rejeter_en_ligne``) sont dans la table de la demande
(``demandes.dossier.workflow.WORKFLOW_DEMANDE``, docs/statuts.md) ; chaque transition
écrit un événement de l'historique.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from demandes.cycle import services as cycle
from demandes.dossier import choix
from demandes.dossier.models import Demande, Evenement, LocalisationSouhaitee
from demandes.dossier.saisie import Dossier, charger_dossier, valider_dossier
from demandes.dossier.workflow import WORKFLOW_DEMANDE, ecrire_evenement
from demandes.labels import services as labels
from demandes.pieces import services as pieces
from demandes.pieces.models import Piece
from fdls import acces
from fdls.organismes.models import Guichet, Organisme
from fdls.socle.workflow import Auteur

Etat = Demande.Etat
TypeEvenement = Evenement.Type

MESSAGE_GUICHET_REQUIS = (
    "Seuls les agents d'un guichet accompagnateur valident ou rejettent les demandes déposées en ligne "
    "(seed 001 annexe 2)."
)


# ---------------------------------------------------------------- dépôt


def guichet_destinataire(commune) -> Guichet | None:
    """Guichet accompagnateur qui reçoit les demandes en ligne d'une commune.

    Celui d'un lieu d'accueil (ADIL / Espace Habitat Social, qui « valide les
    demandes créées en ligne », seed 001 annexe 2) dont le territoire couvre la
    commune ; à défaut, celui de tout autre organisme habilité sur la commune.
    """
    guichets = Guichet.objects.filter(
        type=Guichet.Type.ACCOMPAGNATEUR, actif=True, organisme__actif=True, organisme__perimetre=commune
    ).select_related("commune", "organisme")
    return (
        guichets.filter(organisme__type=Organisme.Type.ADIL).order_by("id").first() or guichets.order_by("id").first()
    )


def auteur_depot_api(user) -> Auteur:
    """Dépôt en ligne transmis par l'API d'un partenaire (en attendant le portail du demandeur)."""
    organisme = getattr(user, "organisme", None)
    libelle = f"Dépôt en ligne transmis par {organisme.nom if organisme else user} (API)"
    return Auteur(libelle=libelle[:150], user=user, organisme=organisme)


@transaction.atomic
def deposer_en_ligne(
    dossier: Dossier, *, auteur: Auteur, guichet: Guichet | None = None, le: date | None = None
) -> Demande:
    """Dépôt en ligne d'un dossier complet : brouillon → à valider, sans numéro unique.

    Le guichet est celui qui validera (``guichet_destinataire`` de la première
    commune souhaitée si non donné) ; la date du dépôt en ligne est gardée
    comme date de dépôt, reprise à la validation. ``ValidationError`` par champ
    si le dossier est incomplet ; rien n'est écrit.
    """
    d = dossier.demande
    if d.pk:
        d.etat = Demande.objects.select_for_update().values_list("etat", flat=True).get(pk=d.pk)
    transition = WORKFLOW_DEMANDE.verifier(d, "deposer_en_ligne")
    if guichet is None and dossier.localisations and dossier.localisations[0].commune_id:
        guichet = guichet_destinataire(dossier.localisations[0].commune)
    if guichet is None and not d.guichet_id:
        raise ValidationError(
            {
                "localisations": [
                    "Aucun guichet accompagnateur ne reçoit les demandes en ligne pour la première commune "
                    "souhaitée : déposez la demande à un guichet d'enregistrement."
                ]
            }
        )
    d.canal = choix.Canal.EN_LIGNE
    if guichet is not None:
        d.guichet = guichet
        d.departement_id = guichet.commune.departement_id
    valider_dossier(dossier, complet=True)
    cycle.sauver_brouillon(dossier, auteur=auteur, guichet=guichet)
    d.etat = transition.cible
    d.date_depot = le or timezone.localdate()
    d.save(update_fields=["etat", "date_depot", "canal", "updated_at"])
    ecrire_evenement(
        d,
        transition.evenement,
        auteur,
        precisions=f"À valider par le guichet {d.guichet.nom}",
        details={"guichet": d.guichet.code},
        etat_avant=Etat.BROUILLON,
        etat_apres=d.etat,
    )
    return d


# ---------------------------------------------------------------- file et droits


def peut_valider(user) -> bool:
    """Agent d'un organisme doté d'un guichet accompagnateur actif (fdls/acces.py : ``enregistre``)."""
    return acces.enregistre(user)


def file_a_valider(user):
    """Demandes en ligne à valider que l'agent voit (son territoire ou ses guichets), les plus anciennes d'abord.

    Annotées de la première commune souhaitée et de la présence d'une pièce
    d'identité valide (``Piece``, type « identite »).
    """
    if not peut_valider(user):
        return Demande.objects.none()
    premiere_commune = LocalisationSouhaitee.objects.filter(demande=OuterRef("pk")).order_by("rang")
    identite = Piece.objects.filter(demande=OuterRef("pk"), type=choix.TypePiece.IDENTITE, etat=Piece.Etat.VALIDE)
    return (
        Demande.objects.visibles_par(user)
        .filter(etat=Etat.A_VALIDER)
        .select_related("guichet")
        .annotate(
            premiere_commune=Subquery(premiere_commune.values("commune__nom")[:1]),
            piece_identite=Exists(identite),
        )
        .order_by("date_depot", "id")
    )


def _guichet_de_validation(user, demande: Demande, guichet: Guichet | None) -> Guichet:
    if guichet is None:
        if demande.guichet.organisme_id == user.organisme_id and demande.guichet.peut_enregistrer:
            guichet = demande.guichet
        else:
            guichet = (
                Guichet.objects.filter(organisme_id=user.organisme_id, type=Guichet.Type.ACCOMPAGNATEUR, actif=True)
                .select_related("commune")
                .order_by("nom")
                .first()
            )
    if guichet is None or guichet.organisme_id != user.organisme_id or not guichet.peut_enregistrer:
        raise ValidationError({"guichet": ["Choisissez un guichet accompagnateur de votre organisme."]})
    if not guichet.actif:
        raise ValidationError({"guichet": [f"Le guichet {guichet.nom} est fermé."]})
    return guichet


def _verifier_droits(user, demande: Demande) -> None:
    if not peut_valider(user):
        raise PermissionDenied(MESSAGE_GUICHET_REQUIS)
    if not Demande.objects.visibles_par(user).filter(pk=demande.pk).exists():
        raise PermissionDenied("Cette demande n'est pas dans le territoire de votre organisme.")


# ---------------------------------------------------------------- validation et rejet


@transaction.atomic
def valider_demande_en_ligne(
    demande: Demande, *, user, identite_verifiee: bool, guichet: Guichet | None = None
) -> Demande:
    """Valide une demande en ligne après contrôle d'identité : c'est son enregistrement.

    Numéro unique et référence au guichet accompagnateur qui valide (par
    défaut celui de la demande s'il est de l'organisme de l'agent), date de
    dépôt = date du dépôt en ligne ; historique : « Enregistrement » puis
    « Validation de la demande en ligne ». Les labels automatiques sont
    recalculés. ``ValidationError`` (``identite_verifiee``, champs du dossier)
    ou ``TransitionInterdite`` : rien n'est écrit.
    """
    _verifier_droits(user, demande)
    if not identite_verifiee:
        raise ValidationError(
            {
                "identite_verifiee": [
                    "Cochez « Identité du demandeur vérifiée » : une demande en ligne n'entre au fichier qu'après "
                    "le contrôle de la pièce d'identité."
                ]
            }
        )
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    transition = WORKFLOW_DEMANDE.verifier(demande, "valider_en_ligne")
    if not pieces.a_piece_identite(demande):
        raise ValidationError(
            {
                "identite_verifiee": [
                    "Le dossier ne contient pas la pièce d'identité du demandeur : joignez-la (onglet « Pièces ») "
                    "avant de valider. La case cochée ne suffit pas : la pièce est obligatoire pour "
                    "l'enregistrement."
                ]
            }
        )
    guichet = _guichet_de_validation(user, demande, guichet)
    depot = demande.date_depot
    # enregistrer_demande n'accepte qu'un brouillon (WORKFLOW_DEMANDE) : la demande y repasse dans
    # cette transaction, sous verrou ; personne ne voit cet état intermédiaire (docs/statuts.md).
    Demande.objects.filter(pk=demande.pk).update(etat=Etat.BROUILLON)
    demande.etat = Etat.BROUILLON
    auteur = Auteur.agent(user)
    demande = cycle.enregistrer_demande(charger_dossier(demande), auteur=auteur, guichet=guichet, date_depot=depot)
    ecrire_evenement(
        demande,
        transition.evenement,
        auteur,
        precisions=f"Identité vérifiée – numéro unique {demande.numero_unique_affiche} au guichet {guichet.nom}",
        details={"identite_verifiee": True, "guichet": guichet.code, "numero_unique": demande.numero_unique},
        etat_avant=Etat.A_VALIDER,
        etat_apres=demande.etat,
    )
    labels.recalculer_labels_automatiques(demande)
    return demande


@transaction.atomic
def rejeter_demande_en_ligne(demande: Demande, *, user, motif: str) -> Demande:
    """Rejette une demande en ligne (pièce d'identité illisible, dossier d'un autre département…) ; motif obligatoire.

    La demande n'entre pas au fichier (pas de numéro unique) ; le motif reste
    dans l'historique et sur la fiche.
    """
    _verifier_droits(user, demande)
    motif = (motif or "").strip()
    if not motif:
        raise ValidationError(
            {"motif": ["Indiquez le motif du rejet : il est conservé dans l'historique et expliqué au demandeur."]}
        )
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    transition = WORKFLOW_DEMANDE.verifier(demande, "rejeter_en_ligne")
    demande.etat = transition.cible
    demande.date_fin = timezone.localdate()
    demande.commentaire_annulation = motif[:2000]
    demande.save(update_fields=["etat", "date_fin", "commentaire_annulation", "updated_at"])
    ecrire_evenement(
        demande,
        transition.evenement,
        Auteur.agent(user),
        precisions=motif,
        details={"motif": motif},
        etat_avant=Etat.A_VALIDER,
        etat_apres=demande.etat,
    )
    return demande
