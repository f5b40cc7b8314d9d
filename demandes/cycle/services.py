"""Cycle de vie d'une demande : la seule porte d'écriture de son état.

Écrans, API, traitements planifiés et générateur passent par ces fonctions,
qui valident le dossier (``dossier.saisie.valider_dossier``), attribuent
numéro unique et référence, tiennent les clés de doublons et les valeurs
dérivées, et écrivent l'historique. Chaque fonction est une transaction :
rien n'est à moitié écrit.

La table des transitions est ``demandes.dossier.workflow.WORKFLOW_DEMANDE``
(noyau des workflows du socle) ; docs/statuts.md la reproduit.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from demandes.cycle.enregistrement_sql import inserer_dossier_neuf, poser_reference_et_historiser
from demandes.dossier import choix
from demandes.dossier.historique import aplatir, differences
from demandes.dossier.models import Demande, Evenement
from demandes.dossier.numerotation import attribuer_numero_unique
from demandes.dossier.saisie import (
    Dossier,
    charger_dossier,
    copier_identite,
    date_expiration,
    ecrire_menage,
    parametre,
    poser_guichet,
    renouvelable_a_partir_du,
    valider_dossier,
)
from demandes.dossier.signaux import signaler
from demandes.dossier.workflow import WORKFLOW_DEMANDE, ecrire_evenement
from demandes.doublons import services as doublons
from demandes.labels import services as labels
from demandes.pieces import services as pieces
from fdls.socle.dates import ajouter_mois
from fdls.socle.derivees_sql import tables_derivees_differees
from fdls.socle.workflow import AUTOMATE, Auteur, TransitionInterdite

Etat = Demande.Etat
TypeEvenement = Evenement.Type


def _verrouiller(demande: Demande) -> Demande:
    """Relit la demande sous verrou de ligne : deux guichets ne la font pas changer d'état en même temps."""
    return Demande.objects.select_for_update().get(pk=demande.pk)


@transaction.atomic
def sauver_brouillon(dossier: Dossier, *, auteur: Auteur, guichet=None) -> Demande:
    """Crée ou met à jour un brouillon (sans numéro ni historique) ; seule l'identité est exigée."""
    d = dossier.demande
    if d.pk and not WORKFLOW_DEMANDE["sauver_brouillon"].part_de(d.etat):
        raise TransitionInterdite("Cette demande est déjà enregistrée : modifiez-la.")
    poser_guichet(dossier, guichet)
    if not d.guichet_id:
        raise ValidationError({"guichet": ["Choisissez le guichet d'enregistrement."]})
    valider_dossier(dossier, complet=False)
    d.etat = WORKFLOW_DEMANDE["sauver_brouillon"].cible
    if not d.pk and getattr(auteur.user, "pk", None):
        d.cree_par = auteur.user
    copier_identite(dossier)
    d.save()
    ecrire_menage(dossier, date_anciennete_nouvelles=timezone.localdate())
    return d


@transaction.atomic
def supprimer_brouillon(demande: Demande) -> None:
    demande = _verrouiller(demande)
    if demande.etat != Etat.BROUILLON:
        raise TransitionInterdite("Seul un brouillon peut être supprimé ; une demande enregistrée s'annule.")
    demande.delete()


@transaction.atomic
def enregistrer_demande(
    dossier: Dossier,
    *,
    auteur: Auteur,
    guichet=None,
    doublons_ecartes: tuple[int, ...] = (),
    date_depot: date | None = None,
    piece_identite=None,
) -> Demande:
    """Crée la demande (ou enregistre un brouillon) : NU, référence, historique, suspicions de doublons.

    La pièce d'identité du demandeur est obligatoire (seed 001 §2) : déjà jointe au brouillon ou à la
    demande en ligne, ou donnée ici (``piece_identite``, fichier téléversé), jointe dans la même
    transaction. Sans elle, ``ValidationError`` sur ``piece_identite`` et rien n'est écrit.
    """
    d = dossier.demande
    if d.pk:
        # Verrou de ligne sans relire l'objet : il porte la saisie du formulaire.
        d.etat = Demande.objects.select_for_update().values_list("etat", flat=True).get(pk=d.pk)
    transition = WORKFLOW_DEMANDE.verifier(d, "enregistrer")
    poser_guichet(dossier, guichet)
    if not d.guichet_id:
        raise ValidationError({"guichet": ["Choisissez le guichet d'enregistrement."]})
    if not d.guichet.peut_enregistrer:
        raise ValidationError(
            {
                "guichet": [
                    f"Le guichet {d.guichet.nom} est un guichet relai : il transmet les demandes à un "
                    "guichet accompagnateur, qui les enregistre."
                ]
            }
        )
    # Toutes les erreurs en une fois : le dossier et la pièce d'identité.
    erreurs = erreurs_de(valider_dossier, dossier, complet=True)
    type_contenu = ""
    try:
        type_contenu = verifier_piece_identite(d, piece_identite)
    except ValidationError as erreur:
        fusionner_erreurs(erreurs, erreur)
    if erreurs:
        raise ValidationError(erreurs)
    depot = date_depot or timezone.localdate()
    d.date_depot = depot
    d.date_expiration = date_expiration(depot)
    if not d.cree_par_id and getattr(auteur.user, "pk", None):
        d.cree_par = auteur.user
    copier_identite(dossier)
    neuve = d.pk is None
    enregistree_le = timezone.now()
    # Ordre choisi pour le débit à plusieurs guichets : le numéro unique (compteur
    # du seul guichet) puis le dossier, les doublons, les labels, la cotation et la
    # pièce d'identité (fichier écrit et synchronisé sur le disque) ; la référence,
    # dont le compteur est commun à tout le fichier, est tirée en tout dernier pour
    # que ce verrou ne soit tenu que le temps d'une mise à jour et du commit (tenu
    # pendant l'écriture de la pièce, il divisait le débit par trois :
    # docs/benchmarks.md, session 14). L'événement d'enregistrement est daté du
    # début : il reste le premier de l'historique.
    d.numero_unique = attribuer_numero_unique(departement=d.departement_id, guichet=d.guichet.code, date_depot=depot)
    d.etat = transition.cible
    # Recherche de la liste et rapprochement recalculés une fois, à la fin, au lieu d'une fois par écriture.
    with tables_derivees_differees() as ecrites:
        if neuve:
            inserer_dossier_neuf(dossier, date_anciennete_nouvelles=depot)
        else:
            d.save()
            ecrire_menage(dossier, date_anciennete_nouvelles=depot)
        ecrites.append(d.pk)
        personnes = [s.personne for s in dossier.personnes]
        trouves = doublons.candidats(personnes, exclure_demande=d.pk, limite=50, neuve=neuve)
        labels.recalculer_labels_automatiques(d, dossier=dossier, neuve=neuve)
        doublons.signaler_suspicions(
            d, source="saisie", ecartes=doublons_ecartes, auteur=auteur, trouves=trouves, neuve=neuve
        )
        signaler(d, "enregistrement", dossier=dossier, neuve=neuve)
        if type_contenu:
            demandeur = next((p for p in personnes if p.role == choix.Role.DEMANDEUR), None)
            pieces.joindre_piece(
                demande=d,
                type=choix.TypePiece.IDENTITE,
                fichier=piece_identite,
                auteur=auteur,
                type_contenu=type_contenu,
                demandeur=demandeur,
            )
    poser_reference_et_historiser(d, transition, auteur, depot=depot, le=enregistree_le)
    return d


MESSAGE_IDENTITE_REQUISE = (
    "Joignez la pièce d'identité du demandeur : elle est obligatoire pour enregistrer la demande "
    "(carte d'identité, passeport ou titre de séjour)."
)


def fusionner_erreurs(erreurs: dict[str, list[str]], erreur: ValidationError) -> None:
    """Ajoute les messages d'une ``ValidationError`` (par champ ou générale) au dictionnaire ``erreurs``."""
    if hasattr(erreur, "error_dict"):
        for champ, messages in erreur.message_dict.items():
            erreurs.setdefault(champ, []).extend(m for m in messages if m not in erreurs.get(champ, []))
    else:
        erreurs.setdefault(NON_FIELD_ERRORS, []).extend(erreur.messages)


def erreurs_de(controle, *args, **kwargs) -> dict[str, list[str]]:
    """Les erreurs d'un contrôle qui lève ``ValidationError`` (dictionnaire vide s'il passe)."""
    erreurs: dict[str, list[str]] = {}
    try:
        controle(*args, **kwargs)
    except ValidationError as erreur:
        fusionner_erreurs(erreurs, erreur)
    return erreurs


def verifier_saisie(dossier: Dossier, *, action: str, guichet=None, piece_identite=None) -> None:
    """Tous les contrôles de l'action demandée (``creer``, ``modifier``, ``brouillon``), sans rien écrire.

    Pour un formulaire dont certains champs sont déjà en erreur : le dossier partiel est contrôlé comme le
    feraient les services, pour que l'agent voie toutes les erreurs en un seul envoi (``ValidationError``
    par chemin, comme ``valider_dossier``).
    """
    complet = action != "brouillon"
    erreurs = erreurs_de(valider_dossier, dossier, complet=complet)
    if action in ("creer", "brouillon") and guichet is None and not dossier.demande.guichet_id:
        erreurs.setdefault("guichet", []).append("Choisissez le guichet d'enregistrement.")
    if action == "creer":
        try:
            verifier_piece_identite(dossier.demande, piece_identite)
        except ValidationError as erreur:
            fusionner_erreurs(erreurs, erreur)
    if erreurs:
        raise ValidationError(erreurs)


def verifier_piece_identite(demande: Demande, fichier) -> str:
    """Refuse un dossier sans pièce d'identité ; rend le type de contenu du fichier à joindre ("" si déjà jointe)."""
    if pieces.a_piece_identite(demande):
        return ""
    if not fichier:
        raise ValidationError({"piece_identite": [MESSAGE_IDENTITE_REQUISE]})
    try:
        return pieces.controler_fichier(fichier)
    except ValidationError as erreur:
        raise ValidationError({"piece_identite": erreur.messages}) from erreur


@transaction.atomic
def modifier_demande(dossier: Dossier, *, auteur: Auteur) -> list[dict]:
    """Enregistre les changements ; chaque champ modifié entre dans l'historique (ancienne → nouvelle valeur)."""
    d = dossier.demande
    actuelle = _verrouiller(d)
    transition = WORKFLOW_DEMANDE.verifier(actuelle, "modifier")
    avant = aplatir(charger_dossier(actuelle))
    # Ce que le formulaire ne porte pas reste tel qu'en base.
    for champ in (
        "etat",
        "numero_unique",
        "reference",
        "date_depot",
        "date_expiration",
        "guichet_id",
        "departement_id",
    ):
        setattr(d, champ, getattr(actuelle, champ))
    valider_dossier(dossier, complet=True)
    copier_identite(dossier)
    changements = differences(avant, aplatir(dossier))
    if not changements:
        return []
    d.avertie_le, d.avertissement_motif = actuelle.avertie_le, actuelle.avertissement_motif
    d.save()
    ecrire_menage(dossier, date_anciennete_nouvelles=timezone.localdate())
    lever_avertissement(
        d, auteur=auteur, precisions="Demande mise à jour : la radiation annoncée n'aura pas lieu", par_mise_a_jour=True
    )
    ecrire_evenement(
        d,
        transition.evenement,
        auteur,
        precisions=", ".join(sorted({c["rubrique"] for c in changements})),
        details={"changements": changements},
        etat_avant=d.etat,
        etat_apres=d.etat,
    )
    labels.recalculer_labels_automatiques(d, dossier=dossier)
    signaler(d, "modification", dossier=dossier)
    return changements


@transaction.atomic
def renouveler_demande(demande: Demande, *, auteur: Auteur, le: date | None = None) -> Demande:
    """Renouvelle pour la durée de validité ; la date de dépôt initial (ancienneté) est conservée."""
    demande = _verrouiller(demande)
    transition = WORKFLOW_DEMANDE.verifier(demande, "renouveler")
    le = le or timezone.localdate()
    debut = renouvelable_a_partir_du(demande)
    if debut is not None and le < debut:
        raise ValidationError(
            f"La demande se renouvelle à partir du {debut:%d/%m/%Y}, comme l'annonce l'attestation "
            f"d'enregistrement (échéance le {demande.date_expiration:%d/%m/%Y}).",
            code="renouvellement_premature",
        )
    ancienne = demande.date_expiration
    demande.date_renouvellement = le
    demande.date_expiration = date_expiration(le)
    demande.save(update_fields=["date_renouvellement", "date_expiration", "updated_at"])
    ecrire_evenement(
        demande,
        transition.evenement,
        auteur,
        precisions=f"Valable jusqu'au {demande.date_expiration:%d/%m/%Y}",
        details={
            "ancienne_expiration": ancienne.isoformat() if ancienne else None,
            "nouvelle_expiration": demande.date_expiration.isoformat(),
        },
        etat_avant=demande.etat,
        etat_apres=demande.etat,
    )
    lever_avertissement(
        demande,
        auteur=auteur,
        precisions="Demande renouvelée : la radiation annoncée n'aura pas lieu",
        par_mise_a_jour=True,
    )
    labels.recalculer_labels_automatiques(demande, le=le)
    signaler(demande, "renouvellement")
    return demande


@transaction.atomic
def annuler_demande(demande: Demande, *, motif: str, auteur: Auteur, commentaire: str = "") -> Demande:
    """Radiation par un agent : la seule que choisit un guichet est la renonciation écrite (R441-2-8 b).

    L'absence de réponse passe par ``avertir_demande`` puis la radiation un mois plus tard
    (``radier_sans_reponse``) ; l'irrecevabilité est prononcée par une CAL.
    """
    if motif not in choix.MOTIFS_ANNULATION_AGENT:
        if motif == choix.MotifAnnulation.NON_REPONSE:
            message = (
                "L'absence de réponse ne radie pas directement : envoyez l'avertissement ; la demande sera radiée "
                "un mois plus tard si le demandeur ne répond pas (CCH R441-2-8 c)."
            )
        elif motif == choix.MotifAnnulation.IRRECEVABILITE:
            message = "L'irrecevabilité est prononcée par une CAL (CCH R441-2-8 d) : un guichet ne la choisit pas."
        else:
            message = (
                "Une demande n'est radiée que pour un motif de l'article R441-2-8 du CCH : un guichet enregistre "
                "la renonciation écrite du demandeur."
            )
        raise ValidationError({"motif": [message]})
    return _terminer(demande, "annuler", auteur=auteur, motif=motif, commentaire=commentaire)


@transaction.atomic
def annuler_pour_non_renouvellement(demande: Demande, *, le: date | None = None) -> Demande | None:
    """Annulation automatique d'une demande échue (traitement planifié) ; sans effet si renouvelée entre-temps."""
    demande = _verrouiller(demande)
    le = le or timezone.localdate()
    if demande.etat != Etat.ACTIVE or not demande.date_expiration or demande.date_expiration >= le:
        return None
    return _terminer(
        demande, "annuler_non_renouvellement", auteur=AUTOMATE, motif=choix.MotifAnnulation.NON_RENOUVELLEMENT, le=le
    )


@transaction.atomic
def satisfaire_demande(
    demande: Demande, *, auteur: Auteur, precisions: str = "", le: date | None = None, details: dict | None = None
) -> Demande:
    """Demande satisfaite par une attribution (bail signé) ; appelé par l'instruction.

    ``details`` : le logement et le bail (``instruction.commissions.services.signer_bail``), ajoutés aux
    détails de l'événement « satisfaction » que lisent le portail et l'observatoire."""
    return _terminer(
        demande,
        "satisfaire",
        auteur=auteur,
        precisions=precisions,
        le=le,
        fondement=choix.ATTRIBUTION_BAIL,
        details=details,
    )


def _terminer(demande, action, *, auteur, motif="", commentaire="", precisions="", le=None, fondement="", details=None):
    """Radiation : état, date, motif ; l'historique porte le motif et son fondement légal (R441-2-8)."""
    demande = _verrouiller(demande)
    demande.date_fin = le or timezone.localdate()
    demande.motif_annulation = motif
    demande.commentaire_annulation = commentaire
    demande.avertie_le = None
    demande.avertissement_motif = ""
    if motif and not precisions:
        precisions = choix.MotifAnnulation(motif).label + (f" – {commentaire}" if commentaire else "")
    base_legale = choix.fondement_radiation(fondement or motif)
    if base_legale:
        precisions = f"{precisions} ({base_legale})" if precisions else base_legale
    details = {**(details or {}), **({"motif": motif} if motif else {})}
    if base_legale:
        details["fondement"] = base_legale
    WORKFLOW_DEMANDE.appliquer(
        demande,
        action,
        auteur=auteur,
        commentaire=precisions,
        champs=["date_fin", "motif_annulation", "commentaire_annulation", "avertie_le", "avertissement_motif"],
        details=details,
    )
    return demande


# ---------------------------------------------------------------- avertissement avant radiation (R441-2-8 c)


def radiation_prevue_le(demande: Demande) -> date | None:
    """Jour où la demande avertie sera radiée sans réponse : un mois après l'avertissement."""
    return ajouter_mois(demande.avertie_le, 1) if demande.avertie_le else None


@transaction.atomic
def avertir_demande(
    demande: Demande,
    *,
    auteur: Auteur,
    motif: str = choix.MotifAnnulation.NON_REPONSE,
    precisions: str = "",
    le: date | None = None,
) -> Demande:
    """Avertissement avant radiation : sans réponse dans le mois, la demande sera radiée (R441-2-8 c).

    La lettre d'avertissement est éditée par ``demandes.relances.courriers`` (lot du jour).
    """
    if motif not in choix.MOTIFS_AVERTISSEMENT:
        raise ValidationError({"motif": ["Choisissez le motif de l'avertissement."]})
    demande = _verrouiller(demande)
    WORKFLOW_DEMANDE.verifier(demande, "avertir")
    if demande.avertie_le:
        raise TransitionInterdite(
            f"Un avertissement a déjà été envoyé le {demande.avertie_le:%d/%m/%Y} : la demande sera radiée le "
            f"{radiation_prevue_le(demande):%d/%m/%Y} sans réponse du demandeur."
        )
    le = le or timezone.localdate()
    demande.avertie_le = le
    demande.avertissement_motif = motif
    texte = f"{choix.MotifAnnulation(motif).label} : radiation le {ajouter_mois(le, 1):%d/%m/%Y} sans réponse"
    if precisions.strip():
        texte += f" – {precisions.strip()}"
    WORKFLOW_DEMANDE.appliquer(
        demande,
        "avertir",
        auteur=auteur,
        commentaire=texte,
        champs=["avertie_le", "avertissement_motif"],
        details={"motif": motif, "fondement": choix.fondement_radiation(motif), "avertie_le": le.isoformat()},
    )
    return demande


def lever_avertissement(
    demande: Demande, *, auteur: Auteur, precisions: str = "", par_mise_a_jour: bool = False
) -> bool:
    """La réponse du demandeur (ou toute mise à jour de la demande) arrête la radiation annoncée.

    À appeler dans la transaction de l'appelant, demande verrouillée ; sans effet si rien n'est en cours.
    ``par_mise_a_jour`` : une modification ou un renouvellement ne lève pas l'avertissement d'une
    irrecevabilité prononcée par une CAL (R441-2-8 d) : seule la réponse du demandeur l'arrête.
    """
    if not demande.avertie_le:
        return False
    if par_mise_a_jour and demande.avertissement_motif == choix.MotifAnnulation.IRRECEVABILITE:
        return False
    avertie = demande.avertie_le
    demande.avertie_le = None
    demande.avertissement_motif = ""
    WORKFLOW_DEMANDE.appliquer(
        demande,
        "lever_avertissement",
        auteur=auteur,
        commentaire=precisions.strip() or "Réponse du demandeur : la radiation annoncée n'aura pas lieu",
        champs=["avertie_le", "avertissement_motif"],
        details={"avertie_le": avertie.isoformat()},
    )
    return True


@transaction.atomic
def enregistrer_reponse(demande: Demande, *, auteur: Auteur, precisions: str = "") -> Demande:
    """Le demandeur a répondu à l'avertissement : la radiation annoncée n'a pas lieu."""
    demande = _verrouiller(demande)
    WORKFLOW_DEMANDE.verifier(demande, "lever_avertissement")
    if not lever_avertissement(demande, auteur=auteur, precisions=precisions):
        raise TransitionInterdite("Aucun avertissement en cours pour cette demande.")
    return demande


def demandes_a_radier_sans_reponse(le: date | None = None):
    """Demandes actives averties il y a un mois ou plus (avertissement toujours en cours)."""
    le = le or timezone.localdate()
    return Demande.objects.filter(etat=Etat.ACTIVE, avertie_le__isnull=False, avertie_le__lte=ajouter_mois(le, -1))


@transaction.atomic
def radier_sans_reponse(demande: Demande, *, le: date | None = None) -> Demande | None:
    """Radiation un mois après l'avertissement resté sans réponse (traitement planifié, idempotent)."""
    demande = _verrouiller(demande)
    le = le or timezone.localdate()
    if demande.etat != Etat.ACTIVE or not demande.avertie_le or ajouter_mois(demande.avertie_le, 1) > le:
        return None
    motif = demande.avertissement_motif or choix.MotifAnnulation.NON_REPONSE
    return _terminer(
        demande,
        "radier_sans_reponse",
        auteur=AUTOMATE,
        motif=motif,
        commentaire=f"avertissement du {demande.avertie_le:%d/%m/%Y} resté sans réponse",
        le=le,
    )


def reactivation_possible(demande: Demande, le: date | None = None) -> tuple[bool, str]:
    """Une demande annulée pour non-renouvellement ou par un agent se réactive dans le délai réglementaire.

    Ni une fusion (le dossier vit dans l'autre demande) ni une irrecevabilité
    décidée en CAL ne se réactivent ; passé le délai, le demandeur dépose une
    nouvelle demande.
    """
    le = le or timezone.localdate()
    if demande.etat != Etat.ANNULEE:
        return False, "Seule une demande annulée peut être réactivée."
    if demande.purgee_le:
        return False, "Les données personnelles de cette demande ont été effacées : elle ne se réactive pas."
    if demande.motif_annulation in (choix.MotifAnnulation.DOUBLON, choix.MotifAnnulation.IRRECEVABILITE):
        return (
            False,
            f"Une demande annulée pour « {demande.get_motif_annulation_display().lower()} » ne se réactive pas.",
        )
    delai = parametre("delai_reactivation", le)
    if demande.date_fin and (le - demande.date_fin).days > delai:
        return False, (
            f"La demande a été annulée le {demande.date_fin:%d/%m/%Y}, il y a plus de {delai} jours : "
            "le demandeur doit déposer une nouvelle demande."
        )
    return True, ""


@transaction.atomic
def reactiver_demande(demande: Demande, *, auteur: Auteur, motif: str, le: date | None = None) -> Demande:
    demande = _verrouiller(demande)
    transition = WORKFLOW_DEMANDE.verifier(demande, "reactiver")
    if not motif.strip():
        raise ValidationError({"motif": ["Indiquez pourquoi la demande est réactivée."]})
    possible, raison = reactivation_possible(demande, le)
    if not possible:
        raise TransitionInterdite(raison)
    le = le or timezone.localdate()
    ancien_motif = demande.motif_annulation
    demande.etat = transition.cible
    demande.date_fin = None
    demande.motif_annulation = ""
    demande.commentaire_annulation = ""
    champs = ["etat", "date_fin", "motif_annulation", "commentaire_annulation", "updated_at"]
    if ancien_motif == choix.MotifAnnulation.NON_RENOUVELLEMENT:
        # Réactiver une demande non renouvelée, c'est la renouveler : nouvelle échéance, dépôt initial conservé.
        demande.date_renouvellement = le
        demande.date_expiration = date_expiration(le)
        champs += ["date_renouvellement", "date_expiration"]
    demande.save(update_fields=champs)
    ecrire_evenement(
        demande,
        transition.evenement,
        auteur,
        precisions=motif.strip(),
        details={"motif_annulation": ancien_motif},
        etat_avant=Etat.ANNULEE,
        etat_apres=demande.etat,
    )
    signaler(demande, "réactivation")
    return demande


def demandes_echues(le: date | None = None):
    """Demandes actives dont l'échéance est passée (pour l'annulation automatique)."""
    le = le or timezone.localdate()
    return Demande.objects.filter(etat=Etat.ACTIVE, date_expiration__lt=le)


def expire_dans(demande: Demande, le: date | None = None) -> timedelta | None:
    le = le or timezone.localdate()
    return (demande.date_expiration - le) if demande.date_expiration else None
