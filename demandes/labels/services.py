"""Priorités, éligibilités et contingents d'une demande (« labels », domain.md §3).

Qui pose quoi (docs/acces.md, section « Labels ») :

* un label **automatique** (« CP - Labélisation automatique (1er quartile) »)
  ne se pose ni ne se retire à la main : il se calcule depuis le dossier
  (``recalculer_labels_automatiques``, et la nuit ``recalculer_labels_automatiques_fichier``) ;
* les autres se posent et se retirent par un agent **réservataire** : un
  contingent réservé (« Mairie de Rezé ») par son organisme propriétaire
  seulement ; un label sans propriétaire par les organismes du type autorisé
  (« Eligibilité ALS » : Action Logement) ;
* la **DDETS** (organisme de type État) n'ajoute et ne retire que les labels
  du contingent préfectoral, « CP » (seed 001 §2).

Un refus lève ``LabelRefuse`` (message en français) et s'inscrit au journal
des consultations comme « tentative refusée » ; rien n'est écrit. Chaque pose
et chaque retrait écrit un événement de l'historique. Un label retiré reste en
base (date et auteur du retrait) : l'historique se garde.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from demandes.dossier import calculs
from demandes.dossier.models import Demande, Evenement
from demandes.dossier.saisie import Dossier, charger_dossier
from demandes.dossier.signaux import signaler
from demandes.dossier.workflow import ecrire_evenement
from demandes.labels import recalcul_sql
from demandes.labels.models import Label, TypeLabel
from fdls import acces
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation
from fdls.organismes.models import Organisme
from fdls.socle.cache import CacheDate
from fdls.socle.dates import controler_date
from fdls.socle.workflow import AUTOMATE, Auteur

CODE_PREMIER_QUARTILE = "cp-premier-quartile"
TAILLE_PAQUET = 20_000
MOTIF_RETRAIT_AUTOMATIQUE = "La règle de calcul n'est plus remplie."


class LabelRefuse(PermissionDenied):
    """Pose ou retrait hors des droits de l'organisme de l'agent (écrans : message ; API : 403)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------- droits


def raison_refus(user, type_label: TypeLabel) -> str:
    """Pourquoi ``user`` ne peut pas poser ni retirer ce type de label ; chaîne vide s'il le peut."""
    if not acces.voit_nominatif(user):
        return "Votre rôle ne donne pas accès aux demandes nominatives."
    if type_label.automatique:
        return (
            f"« {type_label.libelle} » est calculé automatiquement depuis les données de la demande : "
            "il ne se pose ni ne se retire à la main."
        )
    if not type_label.actif:
        return f"« {type_label.libelle} » n'est plus en usage."
    if not user.a_role("reservataire"):
        return (
            "Seuls les agents réservataires posent et retirent les priorités, éligibilités et contingents "
            "(seed 001 §2)."
        )
    organisme = user.organisme
    if organisme.type == Organisme.Type.ETAT and not type_label.est_contingent_prefectoral:
        return (
            f"La DDETS n'ajoute et ne retire que les labels du contingent préfectoral (CP) : "
            f"« {type_label.libelle} » relève d'un autre organisme."
        )
    if type_label.organisme_proprietaire_id:
        if type_label.organisme_proprietaire_id != organisme.pk:
            return (
                f"« {type_label.libelle} » est le contingent de {type_label.organisme_proprietaire.nom} : "
                "seul cet organisme le pose et le retire."
            )
        return ""
    if not type_label.type_organisme_autorise:
        return f"Aucun organisme n'est habilité à poser « {type_label.libelle} »."
    if organisme.type != type_label.type_organisme_autorise:
        return (
            f"« {type_label.libelle} » est posé par les organismes de type "
            f"« {type_label.get_type_organisme_autorise_display()} » seulement."
        )
    return ""


def peut_poser(user, type_label: TypeLabel) -> bool:
    """``user`` peut-il poser (et retirer) ce type de label ? Voir ``raison_refus``."""
    return not raison_refus(user, type_label)


def types_posables(user) -> list[TypeLabel]:
    """Types de labels que l'organisme de l'agent peut poser (liste du formulaire « Ajouter un label »)."""
    if not (acces.voit_nominatif(user) and user.a_role("reservataire")):
        return []
    candidats = TypeLabel.objects.filter(actif=True, automatique=False).select_related("organisme_proprietaire")
    return [t for t in candidats if peut_poser(user, t)]


def _refuser(user, demande: Demande, message: str):
    """Journalise la tentative refusée (hors de toute transaction d'écriture) puis lève ``LabelRefuse``."""
    journaliser_consultation(user=user, objet=demande, action=Consultation.Action.REFUS)
    raise LabelRefuse(message)


def _verifier_acces(user, demande: Demande, type_label: TypeLabel) -> None:
    if not Demande.objects.visibles_par(user).filter(pk=demande.pk).exists():
        _refuser(user, demande, "Cette demande n'est pas dans le territoire de votre organisme.")
    raison = raison_refus(user, type_label)
    if raison:
        _refuser(user, demande, raison)


# ---------------------------------------------------------------- pose et retrait


def _auteur(user) -> Auteur:
    return Auteur.agent(user)


def _ecrire_pose(label: Label, auteur: Auteur) -> None:
    precisions = f"Ajout : {label.type.libelle}"
    if label.commentaire:
        precisions += f" – {label.commentaire}"
    ecrire_evenement(
        label.demande,
        Evenement.Type.LABEL,
        auteur,
        precisions=precisions,
        details={
            "action": "pose",
            "label": label.type.code,
            "libelle": label.type.libelle,
            "label_id": label.pk,
            "date_pose": label.date_pose.isoformat(),
        },
    )


def _ecrire_retrait(label: Label, auteur: Auteur) -> None:
    precisions = f"Retrait : {label.type.libelle}"
    if label.motif_retrait:
        precisions += f" – {label.motif_retrait}"
    ecrire_evenement(
        label.demande,
        Evenement.Type.LABEL_RETRAIT,
        auteur,
        precisions=precisions,
        details={
            "action": "retrait",
            "label": label.type.code,
            "libelle": label.type.libelle,
            "label_id": label.pk,
            "date_retrait": label.date_retrait.isoformat(),
        },
    )


def _verifier_date(
    valeur: date | None, champ: str, *, libelle: str, minimum: date | None = None, minimum_libelle: str = ""
) -> date:
    """Contrôle commun des dates (``fdls.socle.dates.controler_date``) : ni avant 1900, ni avant ``minimum``,
    ni dans le futur ; l'erreur est rendue sur ``champ``."""
    valeur = valeur or timezone.localdate()
    try:
        controler_date(valeur, libelle=libelle, pas_avant=minimum, pas_avant_libelle=minimum_libelle)
    except ValidationError as erreur:
        raise ValidationError({champ: erreur.messages}) from None
    return valeur


def poser_label(
    demande: Demande,
    type_label: TypeLabel,
    *,
    user,
    date_pose: date | None = None,
    commentaire: str = "",
) -> Label:
    """Pose un label sur une demande active, dans les droits de l'organisme de l'agent.

    ``LabelRefuse`` hors des droits (journalisé) ; ``ValidationError`` par champ
    (``type``, ``date_pose``) si la demande n'est pas active, si le label est
    déjà posé ou la date dans le futur. Écrit le label et l'événement, ou rien.
    """
    _verifier_acces(user, demande, type_label)
    date_pose = _verifier_date(
        date_pose,
        "date_pose",
        libelle="La date de début du label",
        minimum=demande.date_depot,
        minimum_libelle="le dépôt de la demande",
    )
    try:
        with transaction.atomic():
            verrouillee = Demande.objects.select_for_update().get(pk=demande.pk)
            if verrouillee.etat != Demande.Etat.ACTIVE:
                raise ValidationError(
                    {
                        "type": [
                            "Un label se pose sur une demande enregistrée et active ; cette demande est "
                            f"« {verrouillee.get_etat_display().lower()} »."
                        ]
                    }
                )
            existant = Label.objects.actifs().filter(demande=verrouillee, type=type_label).first()
            if existant:
                raise ValidationError(
                    {
                        "type": [
                            f"« {type_label.libelle} » est déjà posé sur cette demande depuis le "
                            f"{existant.date_pose:%d/%m/%Y}."
                        ]
                    }
                )
            auteur = _auteur(user)
            label = Label.objects.create(
                demande=verrouillee,
                type=type_label,
                organisme=auteur.organisme,
                date_pose=date_pose,
                auteur=user,
                auteur_libelle=auteur.libelle,
                commentaire=commentaire.strip()[:300],
            )
            _ecrire_pose(label, auteur)
            signaler(verrouillee, "label")
    except IntegrityError as exc:  # pose simultanée du même label (contrainte label_actif_unique)
        raise ValidationError({"type": [f"« {type_label.libelle} » vient d'être posé sur cette demande."]}) from exc
    return label


def retirer_label(label: Label, *, user, motif: str = "", date_retrait: date | None = None) -> Label:
    """Retire un label actif (il reste dans l'historique avec sa date et l'auteur du retrait)."""
    _verifier_acces(user, label.demande, label.type)
    with transaction.atomic():
        label = Label.objects.select_for_update().select_related("type", "demande").get(pk=label.pk)
        if label.date_retrait:
            raise ValidationError(
                {"label": [f"« {label.type.libelle} » a déjà été retiré le {label.date_retrait:%d/%m/%Y}."]}
            )
        label.date_retrait = _verifier_date(
            date_retrait,
            "date_retrait",
            libelle="La date de retrait du label",
            minimum=label.date_pose,
            minimum_libelle="la pose du label",
        )
        auteur = _auteur(user)
        label.retire_par = user
        label.retire_par_libelle = auteur.libelle
        label.motif_retrait = motif.strip()[:300]
        label.save(update_fields=["date_retrait", "retire_par", "retire_par_libelle", "motif_retrait"])
        _ecrire_retrait(label, auteur)
        signaler(label.demande, "retrait de label")
    return label


# ---------------------------------------------------------------- labels automatiques


def _premier_quartile(synthese: calculs.Synthese) -> bool:
    return synthese.premier_quartile is True


#: Règle de chaque label automatique, appliquée à la synthèse de la demande (``demandes.calculs``).
REGLES_AUTOMATIQUES: dict[str, Callable[[calculs.Synthese], bool]] = {
    CODE_PREMIER_QUARTILE: _premier_quartile,
}


@dataclass
class Recalcul:
    poses: int = 0
    retraits: int = 0
    paquets: int = 0


CACHE_TYPES = CacheDate("types_de_labels", duree=60, modeles=(TypeLabel,))


def _types_automatiques() -> dict[str, TypeLabel]:
    """Types de labels automatiques actifs (référentiel rarement modifié : 60 s de cache par processus)."""
    return CACHE_TYPES.lire(
        "types",
        lambda: {
            t.code: t for t in TypeLabel.objects.filter(automatique=True, actif=True, code__in=REGLES_AUTOMATIQUES)
        },
    )


@transaction.atomic(savepoint=False)
def recalculer_labels_automatiques(
    demande: Demande, *, le: date | None = None, dossier: Dossier | None = None, neuve: bool = False
) -> Recalcul:
    """Pose ou retire les labels automatiques d'une demande active selon son dossier ; idempotent.

    À appeler après l'enregistrement, chaque modification, le renouvellement
    et la validation d'une demande en ligne. Sans effet sur une demande qui
    n'est pas active (ses labels restent tels quels, pour l'historique).
    ``dossier`` : le dossier que le service appelant vient d'écrire, sous
    verrou dans la même transaction (évite de le relire) ; ``neuve`` : demande
    créée dans cette transaction, qui n'a encore aucun label.
    """
    le = le or timezone.localdate()
    if dossier is None:
        demande = Demande.objects.select_for_update().get(pk=demande.pk)
        dossier = charger_dossier(demande)
    bilan = Recalcul()
    if demande.etat != Demande.Etat.ACTIVE:
        return bilan
    synthese = calculs.synthese(dossier, le)
    types = _types_automatiques()
    if not types:
        return bilan
    actifs = (
        {}
        if neuve
        else {lab.type.code: lab for lab in Label.objects.actifs().filter(demande=demande, type__in=types.values())}
    )
    poses = {}
    for code, type_label in types.items():
        attendu = REGLES_AUTOMATIQUES[code](synthese)
        if attendu and code not in actifs:
            label = Label.objects.create(
                demande=demande, type=type_label, date_pose=le, auteur=None, auteur_libelle=AUTOMATE.libelle
            )
            _ecrire_pose(label, AUTOMATE)
            bilan.poses += 1
            poses[code] = type_label.libelle
        elif not attendu and code in actifs:
            label = actifs[code]
            label.date_retrait = max(le, label.date_pose)
            label.retire_par_libelle = AUTOMATE.libelle
            label.motif_retrait = MOTIF_RETRAIT_AUTOMATIQUE
            label.save(update_fields=["date_retrait", "retire_par_libelle", "motif_retrait"])
            _ecrire_retrait(label, AUTOMATE)
            bilan.retraits += 1
    if neuve:
        dossier.labels = poses  # une demande neuve n'a pas d'autre label actif
    return bilan


def recalculer_labels_automatiques_fichier(
    *, le: date | None = None, taille_paquet: int = TAILLE_PAQUET, journal: Callable[[str], None] | None = None
) -> Recalcul:
    """Recalcule le label « 1er quartile » de toutes les demandes actives, en SQL ensembliste.

    Par paquets d'identifiants, chacun dans sa transaction (une interruption
    ne perd que le paquet en cours) ; idempotent : relancé, il ne pose ni ne
    retire rien de plus. Pour la tâche de nuit (après le changement d'année
    ou d'arrêté du seuil, et pour l'âge des enfants qui passent 14 ans).
    """
    le = le or timezone.localdate()
    bilan = Recalcul()
    type_label = TypeLabel.objects.filter(code=CODE_PREMIER_QUARTILE, automatique=True, actif=True).first()
    if type_label is None:
        return bilan
    bornes = Demande.objects.filter(etat=Demande.Etat.ACTIVE).order_by("id").values_list("id", flat=True)
    premier = bornes.first()
    if premier is None:
        return bilan
    dernier = bornes.last()
    parametres = {
        "le": le,
        "annee": le.year,
        "type": type_label.pk,
        "code": type_label.code,
        "libelle": type_label.libelle,
        "auteur": AUTOMATE.libelle,
    }
    for debut in range(premier, dernier + 1, taille_paquet):
        with transaction.atomic():
            poses, retraits = recalcul_sql.recalculer_paquet(
                {**parametres, "debut": debut, "fin": debut + taille_paquet},
                precisions_pose=f"Ajout : {type_label.libelle}",
                motif=MOTIF_RETRAIT_AUTOMATIQUE,
                precisions_retrait=f"Retrait : {type_label.libelle} – {MOTIF_RETRAIT_AUTOMATIQUE}",
            )
        bilan.poses += poses
        bilan.retraits += retraits
        bilan.paquets += 1
        if journal:
            journal(f"Labels automatiques : paquet {bilan.paquets}, {bilan.poses} posés, {bilan.retraits} retirés.")
    return bilan


# ---------------------------------------------------------------- filtre des listes et de l'API


def _q_label(
    *,
    type_label: TypeLabel | str | int | None = None,
    famille: str | None = None,
    organisme: Organisme | int | None = None,
) -> Q | None:
    """Condition sur ``Label`` : label **actif** répondant à tous les critères donnés (None sans critère)."""
    if type_label is None and not famille and organisme is None:
        return None
    conditions = Q(date_retrait__isnull=True)
    if isinstance(type_label, TypeLabel):
        conditions &= Q(type=type_label)
    elif isinstance(type_label, int):
        conditions &= Q(type_id=type_label)
    elif type_label:
        conditions &= Q(type__code=type_label)
    if famille:
        conditions &= Q(type__famille=famille)
    if organisme is not None:
        organisme_id = getattr(organisme, "pk", organisme)
        conditions &= Q(type__organisme_proprietaire_id=organisme_id) | Q(organisme_id=organisme_id)
    return conditions


def filtrer_par_label(
    queryset: QuerySet,
    *,
    type_label: TypeLabel | str | int | None = None,
    famille: str | None = None,
    organisme: Organisme | int | None = None,
) -> QuerySet:
    """Demandes qui portent un label **actif** répondant à tous les critères donnés.

    ``type_label`` : un ``TypeLabel``, son code ou son identifiant ; ``famille`` :
    ``priorite``, ``eligibilite`` ou ``contingent`` ; ``organisme`` : les labels
    de cet organisme — ceux dont il est propriétaire (son contingent) ou qu'il
    a posés. Semi-jointure (``EXISTS``) : une demande à plusieurs labels
    n'apparaît qu'une fois. Sans critère, le QuerySet est rendu tel quel.
    """
    conditions = _q_label(type_label=type_label, famille=famille, organisme=organisme)
    if conditions is None:
        return queryset
    return queryset.filter(Exists(Label.objects.filter(conditions, demande=OuterRef("pk"))))


def demandes_avec_label(
    *,
    type_label: TypeLabel | str | int | None = None,
    famille: str | None = None,
    organisme: Organisme | int | None = None,
) -> list[int]:
    """Identifiants des demandes portant un tel label actif (liste des demandes, demandes/liste/recherche.py)."""
    conditions = _q_label(type_label=type_label, famille=famille, organisme=organisme)
    if conditions is None:
        return []
    return list(Label.objects.filter(conditions).values_list("demande_id", flat=True).distinct())


def labels_de(demande: Demande) -> dict[str, list[Label]]:
    """Labels actifs et retirés d'une demande, pour la fiche et l'API."""
    tous = list(
        Label.objects.filter(demande=demande)
        .select_related("type", "organisme", "auteur", "retire_par", "type__organisme_proprietaire")
        .order_by("type__famille", "type__ordre", "-date_pose", "-id")
    )
    return {"actifs": [lab for lab in tous if lab.actif], "retires": [lab for lab in tous if not lab.actif]}


def creer_contingents_communaux(organismes=None) -> int:
    """Crée le contingent « Mairie de <commune> » de chaque organisme communal (propriétaire : la ville).

    Idempotent ; renvoie le nombre de types créés. Le libellé suit le seed
    (« Mairie de … ») : « Ville de Rezé » → « Mairie de Rezé ».
    """
    organismes = organismes if organismes is not None else Organisme.objects.filter(type=Organisme.Type.COMMUNE)
    crees = 0
    for organisme in organismes:
        commune = organisme.nom.removeprefix("Ville de ").removeprefix("Ville d'").strip()
        libelle = f"Mairie de {commune}" if not organisme.nom.startswith("Ville d'") else f"Mairie d'{commune}"
        _, cree = TypeLabel.objects.get_or_create(
            organisme_proprietaire=organisme,
            famille=TypeLabel.Famille.CONTINGENT,
            defaults={
                "code": f"mairie-{organisme.pk}",
                "libelle": libelle[:120],
                "type_organisme_autorise": Organisme.Type.COMMUNE,
                "ordre": 50,
            },
        )
        crees += cree
    return crees
