"""Traitements planifiés des demandes : rappels avant l'échéance, annulation automatique, radiation faute de
réponse à un avertissement (R441-2-8 c), purge des demandes radiées (conservation), doublons de nuit.

Chaque job tourne pour un **jour** et garde son état dans ``TraitementPlanifie``
(une ligne par job × jour : statut, point de reprise, compteurs, hôte et pid) :

- **exclusion** : un verrou consultatif PostgreSQL de session par job
  (``pg_try_advisory_lock``) ; une seconde exécution concurrente s'arrête
  aussitôt sans rien faire ; si le processus meurt (SIGKILL, machine perdue),
  PostgreSQL libère le verrou avec la connexion ;
- **reprise** : le travail se fait par paquets qui valident chacun et notent
  le point de reprise dans la même transaction ; relancé, le job repart du
  point noté ; terminé, il ne refait rien (sauf ``forcer=True``) ;
- **idempotence** : une relance est une ligne unique par demande × échéance ×
  canal ; une demande annulée n'est plus active, donc plus candidate.

Rappels (``envoyer_relances``) en deux phases :

1. *préparation* : pour chaque demande active dont l'échéance tombe dans le
   préavis (``ParametreReglementaire`` ``preavis_renouvellement``) et qui n'a
   pas encore de relance pour cette échéance, écrire les lignes « à envoyer »
   (canaux : ``demandes/relances/envoi.py``) ;
2. *envoi* : par paquets, passer les lignes « en cours » (commit), puis pour
   chacune revérifier que la demande est active et que l'échéance n'a pas
   changé, envoyer, marquer « envoyée » (commit par ligne).

Règle de reprise d'une ligne « en cours » : le job qui tient le verrou est le
seul à envoyer ; une ligne « en cours » dont la tentative précède son propre
démarrage appartient donc à un processus mort : elle est remise « à envoyer »
et renvoyée (**au moins une fois**, docs/reliability.md). Le renvoi porte la
même clé (Message-ID, référence SMS, nom du fichier du courrier).
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, CharField, Exists, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from demandes.conservation import services as conservation
from demandes.cycle import services
from demandes.dossier.choix import MotifAnnulation
from demandes.dossier.models import Demande, Personne, TraitementPlanifie
from demandes.dossier.saisie import parametre
from demandes.doublons import services as doublons
from demandes.relances import courriers, verrous_sql
from demandes.relances.envoi import PREFIXES_CLE, Coordonnees, EnvoiImpossible, Envoyeur, canaux, contexte
from demandes.relances.models import Relance
from fdls.celery import ERREURS_PASSAGERES
from fdls.socle.dates import ajouter_mois
from fdls.socle.taches import planifier

logger = logging.getLogger(__name__)

Statut = Relance.Statut
StatutTraitement = TraitementPlanifie.Statut

JOB_RELANCES = "relances"
JOB_ANNULATIONS = "annulations"
JOB_RADIATIONS = "radiations"
JOB_CONSERVATION = "conservation"
JOB_DOUBLONS = doublons.JOB_NUIT
# ordre de traitements_du_jour
JOBS = (JOB_ANNULATIONS, JOB_RADIATIONS, JOB_CONSERVATION, JOB_DOUBLONS, JOB_RELANCES)

#: Premier entier des verrous consultatifs des traitements (le second : hashtext(job)).
CLASSE_VERROU = 7310
PAQUET_PREPARATION = 1000
PAQUET_ENVOI = 200
PAQUET_ANNULATION = 200
#: Paramètre réglementaire facultatif : jours de grâce après l'échéance avant l'annulation.
PARAMETRE_GRACE = "delai_grace_non_renouvellement"


class RelanceRefusee(ValidationError):
    """Rappel demandé à la main pour une demande qui n'en reçoit pas (message en français)."""


class EnvoiDiffere(ConnectionError):
    """Le service d'envoi (SMTP, fournisseur SMS) est momentanément injoignable : le job sera relancé."""


# ---------------------------------------------------------------- état et verrou


def verrou_job(job: str):
    """Verrou consultatif de session pour ``job`` (gestionnaire de contexte) ; ``False`` si un autre processus le
    tient."""
    return verrous_sql.verrou_consultatif(CLASSE_VERROU, job)


def verrou_tenu_ailleurs(job: str) -> bool:
    """Vrai si un processus exécute ``job`` en ce moment (lu dans ``pg_locks``, sans prendre le verrou : un job
    qui démarre à cet instant n'est jamais gêné)."""
    return verrous_sql.detenteur(CLASSE_VERROU, job) is not None


def etat_affiche(etat: TraitementPlanifie) -> str:
    """L'état réel d'un job pour l'opérateur : « en cours » seulement si un processus vivant tient son verrou."""
    processus = f"{etat.hote or 'hôte inconnu'}, pid {etat.pid}" if etat.pid else "processus inconnu"
    paquet = f", dernier paquet validé à {timezone.localtime(etat.maj_le):%H:%M:%S}" if etat.maj_le else ""
    if etat.statut == StatutTraitement.EN_COURS:
        if verrou_tenu_ailleurs(etat.job):
            return f"en cours ({processus}{paquet})"
        return (
            f"interrompu : le processus ({processus}) s'est arrêté sans finir{paquet} ; reprise automatique "
            "dans la minute (surveillance du beat), ou --executer"
        )
    if etat.statut == StatutTraitement.INTERROMPU:
        return f"interrompu ({processus}{paquet}) ; reprise planifiée"
    return etat.get_statut_display().lower()


@dataclass
class Resultat:
    job: str
    jour: date
    statut: str  # termine | deja_termine | deja_en_cours
    compteurs: dict

    def __str__(self):
        if self.statut == "deja_en_cours":
            return f"{self.job} du {self.jour:%d/%m/%Y} : déjà en cours dans un autre processus, rien fait."
        details = ", ".join(f"{cle} {valeur}" for cle, valeur in sorted(self.compteurs.items()))
        prefixe = "déjà terminé" if self.statut == "deja_termine" else "terminé"
        return f"{self.job} du {self.jour:%d/%m/%Y} : {prefixe} ({details or 'rien à faire'})."


def noter(etat: TraitementPlanifie, *, point: int | None = None) -> None:
    """Écrit compteurs et point de reprise (dans la transaction du paquet qui vient d'être fait)."""
    champs = {"compteurs": etat.compteurs, "maj_le": timezone.now()}
    if point is not None:
        etat.point_de_reprise = point
        champs["point_de_reprise"] = point
    TraitementPlanifie.objects.filter(pk=etat.pk).update(**champs)


def executer(job: str, jour: date, travail: Callable[[TraitementPlanifie], None], *, forcer: bool = False) -> Resultat:
    """Exécute ``travail(etat)`` pour (job, jour) sous verrou, en tenant l'état à jour."""
    with verrou_job(job) as obtenu:
        if not obtenu:
            logger.info("Traitement %s déjà en cours ailleurs : rien fait", job)
            return Resultat(job, jour, "deja_en_cours", {})
        etat, _ = TraitementPlanifie.objects.get_or_create(job=job, jour=jour)
        if etat.statut == StatutTraitement.TERMINE and not forcer:
            return Resultat(job, jour, "deja_termine", etat.compteurs)
        maintenant = timezone.now()
        champs = {
            "statut": StatutTraitement.EN_COURS,
            "passages": F("passages") + 1,
            "debut": Coalesce(F("debut"), maintenant),
            "dernier_demarrage": maintenant,
            "fin": None,
            "erreur": "",
            "hote": socket.gethostname()[:100],
            "pid": os.getpid(),
        }
        if forcer and etat.statut == StatutTraitement.TERMINE:
            champs.update(point_de_reprise=0, compteurs={})
        TraitementPlanifie.objects.filter(pk=etat.pk).update(**champs)
        etat.refresh_from_db()
        logger.info(
            "Traitement %s du %s : passage %s, reprise après %s", job, jour, etat.passages, etat.point_de_reprise
        )
        try:
            travail(etat)
        except BaseException as exc:
            TraitementPlanifie.objects.filter(pk=etat.pk).update(
                statut=StatutTraitement.ECHEC, erreur=f"{type(exc).__name__}: {exc}"[:2000], maj_le=timezone.now()
            )
            raise
        TraitementPlanifie.objects.filter(pk=etat.pk).update(
            statut=StatutTraitement.TERMINE, fin=timezone.now(), compteurs=etat.compteurs
        )
        return Resultat(job, jour, "termine", etat.compteurs)


def _ajouter(etat: TraitementPlanifie, cle: str, nombre: int) -> None:
    etat.compteurs[cle] = etat.compteurs.get(cle, 0) + nombre


def _paquets(ids: list[int], taille: int) -> Iterator[list[int]]:
    for i in range(0, len(ids), taille):
        yield ids[i : i + taille]


def parametre_facultatif(code: str, le: date, defaut: int = 0) -> int:
    try:
        return parametre(code, le)
    except ValidationError:
        return defaut


# ---------------------------------------------------------------- rappels avant l'échéance


def horizon_relances(jour: date) -> date:
    """Dernière échéance à rappeler le ``jour`` : jour + préavis réglementaire (en mois)."""
    return ajouter_mois(jour, parametre("preavis_renouvellement", jour))


def demandes_a_relancer(jour: date):
    """Demandes actives dont l'échéance tombe dans ]jour, jour + préavis] et sans relance pour cette échéance.

    Une échéance manquée (traitement arrêté plusieurs jours) est rattrapée
    au passage suivant tant qu'elle n'est pas dépassée.
    """
    deja = Relance.objects.filter(demande=OuterRef("pk"), echeance=OuterRef("date_expiration"))
    return Demande.objects.filter(
        etat=Demande.Etat.ACTIVE, date_expiration__gt=jour, date_expiration__lte=horizon_relances(jour)
    ).exclude(Exists(deja))


def _adresse(d: dict) -> str:
    rue = " ".join(x for x in (d["adresse_numero"], d["adresse_voie"]) if x).strip()
    ville = " ".join(x for x in (d["code_postal"], d["ville"]) if x).strip()
    if not rue or not d["code_postal"] or not d["ville"]:
        return ""
    return "\n".join(x for x in (rue, d["adresse_complement"], ville) if x)


def coordonnees(demande_ids) -> dict[int, Coordonnees]:
    """Coordonnées des demandes **actives** parmi ``demande_ids`` (une requête)."""
    demandeur = Personne.objects.filter(demande=OuterRef("pk"), role="demandeur")
    lignes = (
        Demande.objects.filter(pk__in=demande_ids, etat=Demande.Etat.ACTIVE)
        .annotate(
            p_email=Subquery(demandeur.values("email")[:1]), p_telephone=Subquery(demandeur.values("telephone")[:1])
        )
        .values(
            "id",
            "numero_unique",
            "date_expiration",
            "date_depot",
            "canal",
            "renouvellement_electronique",
            "nom",
            "prenom",
            "email",
            "telephone",
            "telephone_portable",
            "adresse_numero",
            "adresse_voie",
            "adresse_complement",
            "code_postal",
            "ville",
            "p_email",
            "p_telephone",
            "courrier_souhaite",
            "guichet__organisme__nom",
            "guichet__nom",
            "guichet__adresse",
            "guichet__code_postal",
            "guichet__commune__nom",
            "guichet__telephone",
        )
    )
    return {
        d["id"]: Coordonnees(
            demande_id=d["id"],
            numero_unique=d["numero_unique"] or "",
            echeance=d["date_expiration"],
            date_depot=d["date_depot"],
            canal_depot=d["canal"],
            renouvellement_electronique=d["renouvellement_electronique"],
            nom=d["nom"],
            prenom=d["prenom"],
            email=d["email"] or d["p_email"] or "",
            telephones=(d["telephone_portable"], d["telephone"], d["p_telephone"] or ""),
            adresse=_adresse(d),
            courrier_souhaite=d["courrier_souhaite"],
            expediteur=expediteur(d),
        )
        for d in lignes
    }


def expediteur(d: dict) -> dict:
    """Le guichet d'enregistrement, expéditeur des lettres (``d`` : valeurs ``guichet__…``)."""
    return {
        "organisme": d["guichet__organisme__nom"],
        "guichet": d["guichet__nom"],
        "adresse": d["guichet__adresse"],
        "code_postal": d["guichet__code_postal"],
        "commune": d["guichet__commune__nom"],
        "telephone": d["guichet__telephone"],
    }


def preparer_relances(demande_ids, etat: TraitementPlanifie | None = None) -> int:
    """Écrit les lignes « à envoyer » des demandes données (sans doublon : contrainte unique)."""
    lignes = [
        Relance(
            demande_id=c.demande_id,
            echeance=c.echeance,
            canal=canal,
            destinataire=destinataire[:300],
            traitement=etat,
        )
        for c in coordonnees(demande_ids).values()
        for canal, destinataire in canaux(c)
    ]
    Relance.objects.bulk_create(lignes, ignore_conflicts=True, batch_size=1000)
    return len(lignes)


def _marquer(relance_id: int, statut: str, erreur: str = "") -> None:
    """Une ligne par commit (hors transaction : l'UPDATE est sa propre transaction)."""
    champs = {"statut": statut, "erreur": erreur[:2000]}
    if statut == Statut.ENVOYEE:
        champs["envoyee_le"] = timezone.now()
    Relance.objects.filter(pk=relance_id).update(**champs)


def _cle_idempotence_sql():
    """``envoi.cle_idempotence(id, canal)`` en SQL, pour noter les clés d'un paquet en une requête."""
    return Case(
        *(
            When(canal=canal, then=Concat(Value(avant), Cast("id", CharField()), Value(apres)))
            for canal, (avant, apres) in PREFIXES_CLE.items()
        ),
        default=Value(""),
    )


def _est_passagere(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return False
    return isinstance(exc, (*ERREURS_PASSAGERES, OSError))


def reprendre_orphelines(depuis, demande_id: int | None = None) -> int:
    """Remet « à envoyer » les lignes « en cours » tentées avant ``depuis`` (processus mort, voir en tête)."""
    orphelines = Relance.objects.filter(statut=Statut.EN_COURS, tentee_le__lt=depuis)
    if demande_id is not None:
        orphelines = orphelines.filter(demande_id=demande_id)
    return orphelines.update(
        statut=Statut.A_ENVOYER, erreur="Reprise : le processus qui l'envoyait s'est arrêté avant de confirmer."
    )


def envoyer_en_attente(etat: TraitementPlanifie | None = None, *, demande_id: int | None = None) -> dict:
    """Envoie les lignes « à envoyer » (toutes, ou celles d'une demande) ; rend les compteurs de ce passage."""
    compteurs = {"envoyees": 0, "echecs": 0, "sans_objet": 0}

    def compter(cle: str) -> None:
        compteurs[cle] += 1
        if etat is not None:
            _ajouter(etat, cle, 1)

    dernier = 0
    # Toutes les marques sont des commits durables (jamais ``synchronous_commit = off``) : une coupure de
    # PostgreSQL ne fait repartir aucun message marqué « envoyé » ; seul l'envoi en vol peut repartir, avec la
    # clé d'idempotence notée avant lui.
    with Envoyeur() as envoyeur:
        while True:
            with transaction.atomic():
                a_envoyer = Relance.objects.select_for_update(skip_locked=True).filter(
                    statut=Statut.A_ENVOYER, id__gt=dernier
                )
                if demande_id is not None:
                    a_envoyer = a_envoyer.filter(demande_id=demande_id)
                paquet = list(
                    a_envoyer.order_by("id").values_list("id", "demande_id", "echeance", "canal", "destinataire")[
                        :PAQUET_ENVOI
                    ]
                )
                if not paquet:
                    break
                ids = [r[0] for r in paquet]
                Relance.objects.filter(pk__in=ids).update(
                    statut=Statut.EN_COURS,
                    tentee_le=timezone.now(),
                    tentatives=F("tentatives") + 1,
                    cle_idempotence=_cle_idempotence_sql(),
                )
            dernier = ids[-1]
            actives = coordonnees({r[1] for r in paquet})
            for rang, (relance_id, demande_pk, echeance, canal, destinataire) in enumerate(paquet):
                c = actives.get(demande_pk)
                if c is None:
                    _marquer(relance_id, Statut.SANS_OBJET, "La demande n'est plus active : pas de rappel.")
                    compter("sans_objet")
                    continue
                if c.echeance != echeance:
                    _marquer(
                        relance_id,
                        Statut.SANS_OBJET,
                        f"Demande renouvelée : nouvelle échéance le {c.echeance:%d/%m/%Y}.",
                    )
                    compter("sans_objet")
                    continue
                try:
                    envoyeur.envoyer(relance_id, canal, destinataire, c)
                except EnvoiImpossible as exc:
                    _marquer(relance_id, Statut.ECHEC, str(exc))
                    compter("echecs")
                except Exception as exc:
                    if _est_passagere(exc):
                        # Rien n'est parti pour la ligne courante et les suivantes du paquet : on les rend.
                        Relance.objects.filter(pk__in=ids[rang:], statut=Statut.EN_COURS).update(
                            statut=Statut.A_ENVOYER, erreur=f"{type(exc).__name__}: {exc}"[:2000]
                        )
                        raise EnvoiDiffere(f"Envoi {canal} impossible pour l'instant : {exc}") from exc
                    logger.exception("Relance %s (%s) en échec", relance_id, canal)
                    _marquer(relance_id, Statut.ECHEC, f"{type(exc).__name__}: {exc}")
                    compter("echecs")
                else:
                    _marquer(relance_id, Statut.ENVOYEE)
                    compter("envoyees")
            if etat is not None:
                noter(etat)
    return compteurs


def _relances(etat: TraitementPlanifie) -> None:
    jour = etat.jour
    for cle in ("preparees", "reprises", "envoyees", "echecs", "sans_objet"):
        etat.compteurs.setdefault(cle, 0)
    # Phase 1 : préparation, point de reprise = dernière demande préparée.
    ids = list(
        demandes_a_relancer(jour).filter(id__gt=etat.point_de_reprise).order_by("id").values_list("id", flat=True)
    )
    for paquet in _paquets(ids, PAQUET_PREPARATION):
        with transaction.atomic():
            _ajouter(etat, "preparees", preparer_relances(paquet, etat))
            noter(etat, point=paquet[-1])
    # Phase 2 : envoi ; les lignes « en cours » d'un passage précédent sont orphelines.
    _ajouter(etat, "reprises", reprendre_orphelines(etat.dernier_demarrage))
    envoyer_en_attente(etat)


def envoyer_relances(jour: date | None = None, *, forcer: bool = False) -> Resultat:
    """Job quotidien des rappels de renouvellement (beat ; ``traitements_du_jour``)."""
    return executer(JOB_RELANCES, jour or timezone.localdate(), _relances, forcer=forcer)


def relancer_demande(demande: Demande, *, echeance: date | None = None, le: date | None = None) -> list[Relance]:
    """Rappel demandé à la main pour une demande ; refus clair s'il n'a pas lieu d'être."""
    le = le or timezone.localdate()
    demande = Demande.objects.get(pk=demande.pk)
    numero = demande.numero_unique_affiche or f"n° {demande.pk}"
    if demande.etat != Demande.Etat.ACTIVE:
        raise RelanceRefusee(
            f"La demande {numero} est à l'état « {demande.get_etat_display().lower()} » : "
            "aucun rappel de renouvellement ne lui est envoyé."
        )
    if echeance is not None and echeance != demande.date_expiration:
        raise RelanceRefusee(
            f"La demande {numero} a été renouvelée : l'échéance du {echeance:%d/%m/%Y} n'est plus d'actualité "
            f"(nouvelle échéance le {demande.date_expiration:%d/%m/%Y}). Aucun rappel n'est envoyé."
        )
    echeance = demande.date_expiration
    if echeance is None or echeance <= le:
        raise RelanceRefusee(
            f"L'échéance de la demande {numero} est passée : elle sera annulée automatiquement, "
            "sauf renouvellement ou réactivation par un agent."
        )
    deja = list(
        Relance.objects.filter(demande=demande, echeance=echeance, statut=Statut.ENVOYEE).order_by("envoyee_le")
    )
    if deja:
        canaux_envoyes = ", ".join(r.get_canal_display().lower() for r in deja)
        raise RelanceRefusee(
            f"Le rappel de l'échéance du {echeance:%d/%m/%Y} a déjà été envoyé le "
            f"{timezone.localtime(deja[0].envoyee_le):%d/%m/%Y} ({canaux_envoyes}) : "
            "un rappel n'est jamais envoyé deux fois."
        )
    with verrou_job(JOB_RELANCES) as obtenu:
        if not obtenu:
            raise RelanceRefusee("Le traitement des rappels tourne en ce moment : réessayez dans quelques minutes.")
        debut = timezone.now()
        reprendre_orphelines(debut, demande_id=demande.pk)
        with transaction.atomic():
            preparer_relances([demande.pk])
        envoyer_en_attente(demande_id=demande.pk)
    return list(Relance.objects.filter(demande=demande, echeance=echeance).order_by("canal"))


def clore_relances(demande_id: int) -> int:
    """Les rappels pas encore partis d'une échéance dépassée par un renouvellement deviennent sans objet."""
    demande = Demande.objects.filter(pk=demande_id).values("etat", "date_expiration").first()
    en_attente = Relance.objects.filter(demande_id=demande_id, statut=Statut.A_ENVOYER)
    if demande and demande["etat"] == Demande.Etat.ACTIVE:
        en_attente = en_attente.exclude(echeance=demande["date_expiration"])
    return en_attente.update(statut=Statut.SANS_OBJET, erreur="Échéance changée avant l'envoi : pas de rappel.")


# ---------------------------------------------------------------- annulation automatique


def limite_annulation(jour: date) -> date:
    """Les demandes dont l'échéance précède cette date sont annulées le ``jour`` (délai de grâce compris)."""
    return jour - timedelta(days=parametre_facultatif(PARAMETRE_GRACE, jour))


def _une_par_une(etat: TraitementPlanifie, demandes, action, compteur: str) -> None:
    """Applique ``action(demande, le=jour)`` aux ``demandes`` (QuerySet) au-delà du point de reprise, par paquets
    d'une transaction ; compte ``compteur`` quand l'action a agi, ``ignorees`` sinon (état changé entre-temps)."""
    etat.compteurs.setdefault(compteur, 0)
    ids = list(demandes.filter(id__gt=etat.point_de_reprise).order_by("id").values_list("id", flat=True))
    for paquet in _paquets(ids, PAQUET_ANNULATION):
        with transaction.atomic():
            for pk in paquet:
                _ajouter(etat, compteur if action(Demande(pk=pk), le=etat.jour) else "ignorees", 1)
            noter(etat, point=paquet[-1])


def _annulations(etat: TraitementPlanifie) -> None:
    _une_par_une(
        etat,
        services.demandes_echues(limite_annulation(etat.jour)),
        services.annuler_pour_non_renouvellement,
        "annulees",
    )


def annuler_demandes_echues(jour: date | None = None, *, forcer: bool = False) -> Resultat:
    """Job quotidien : annulation automatique « suite au non renouvellement » par « Traitement automatisé »."""
    return executer(JOB_ANNULATIONS, jour or timezone.localdate(), _annulations, forcer=forcer)


# ---------------------------------------------------------------- avertissements et radiations (R441-2-8 c)


def editer_avertissements(jour: date) -> int:
    """Lettres d'avertissement des demandes averties jusqu'au ``jour`` et encore en cours, pas encore éditées.

    Une lettre par demande avertie (nom fixe) dans le lot du jour de l'avertissement ; lots refaits.
    """
    lignes = Demande.objects.filter(
        etat=Demande.Etat.ACTIVE, avertie_le__isnull=False, avertie_le__lte=jour
    ).values_list("id", "avertie_le", "avertissement_motif")
    averties = {pk: le for pk, le, _ in lignes}
    # Irrecevabilité prononcée par une CAL (R441-2-8 d) : la lettre le dit, au lieu de l'absence de réponse (c).
    irrecevables = {pk for pk, _, motif in lignes if motif == MotifAnnulation.IRRECEVABILITE}
    a_editer = {
        pk: le
        for pk, le in averties.items()
        if not (courriers.dossier_avertissements(le) / f"avertissement-{pk}.pdf").exists()
    }
    lots = set()
    for pk, c in coordonnees(list(a_editer)).items():
        dossier = courriers.dossier_avertissements(a_editer[pk])
        courriers.ecrire_lettre(
            dossier,
            f"avertissement-{pk}",
            courriers.GABARIT_AVERTISSEMENT,
            {
                **contexte(c),
                "titre_document": "Avertissement avant radiation",
                "mention_envoi": courriers.MENTION_RECOMMANDE,
                "edite_le": a_editer[pk],
                "radiation_le": ajouter_mois(a_editer[pk], 1),
                "precisions": "",
                "irrecevabilite": pk in irrecevables,
            },
        )
        lots.add(dossier)
    for dossier in sorted(lots):
        courriers.assembler_lot(dossier)
    return len(a_editer)


def _radiations(etat: TraitementPlanifie) -> None:
    jour = etat.jour
    etat.compteurs.setdefault("radiees", 0)
    _ajouter(etat, "lettres_avertissement", editer_avertissements(jour))
    noter(etat)
    _une_par_une(etat, services.demandes_a_radier_sans_reponse(jour), services.radier_sans_reponse, "radiees")


def radier_sans_reponse(jour: date | None = None, *, forcer: bool = False) -> Resultat:
    """Job quotidien : lettres d'avertissement du jour, puis radiation des demandes averties il y a un mois
    restées sans réponse (CCH R441-2-8 c)."""
    return executer(JOB_RADIATIONS, jour or timezone.localdate(), _radiations, forcer=forcer)


# ---------------------------------------------------------------- conservation limitée (RGPD)


def _conservation(etat: TraitementPlanifie) -> None:
    _une_par_une(etat, conservation.demandes_a_purger(etat.jour), conservation.purger_demande, "purgees")


def purger_demandes_radiees(jour: date | None = None, *, forcer: bool = False) -> Resultat:
    """Job quotidien : données personnelles des demandes radiées depuis plus que la durée de conservation."""
    return executer(JOB_CONSERVATION, jour or timezone.localdate(), _conservation, forcer=forcer)


# ---------------------------------------------------------------- doublons de nuit


def _doublons(etat: TraitementPlanifie) -> None:
    compteurs = doublons.detecter_doublons_fichier(depuis_id=etat.point_de_reprise, etat=etat)
    for cle in ("lots", "paires_examinees", "suspicions_creees"):
        _ajouter(etat, cle, compteurs[cle])


def detecter_doublons_nuit(jour: date | None = None, *, forcer: bool = False) -> Resultat:
    """Job de nuit : détection des doublons sur tout le fichier actif (reprise : ``TraitementPlanifie``)."""
    return executer(JOB_DOUBLONS, jour or timezone.localdate(), _doublons, forcer=forcer)


# ---------------------------------------------------------------- ensemble et surveillance


TRAITEMENTS = {
    JOB_ANNULATIONS: annuler_demandes_echues,
    JOB_RADIATIONS: radier_sans_reponse,
    JOB_CONSERVATION: purger_demandes_radiees,
    JOB_DOUBLONS: detecter_doublons_nuit,
    JOB_RELANCES: envoyer_relances,
}


#: Tâche Celery de chaque job (relance d'un job interrompu, par l'outbox).
TACHES = {
    JOB_ANNULATIONS: "demandes.tasks.annuler_demandes_echues",
    JOB_DOUBLONS: "demandes.tasks.detecter_doublons_nuit",
    JOB_RELANCES: "demandes.tasks.envoyer_relances",
}
#: La surveillance ne reprend que les jobs démarrés dans ce délai ; plus ancien : à l'opérateur.
REPRISE_AUTOMATIQUE = timedelta(days=2)


def reprendre_interrompus() -> list[tuple[str, date]]:
    """Surveillance (beat, chaque minute) : un job « en cours » dont le verrou n'a plus de détenteur appartient
    à un processus mort (worker tué, machine perdue). Il est noté « interrompu » et replanifié par l'outbox :
    repris en une minute au lieu d'attendre que le broker rende le message (délai de visibilité, 1 h).

    Le constat se fait sous le verrou du job : un job qui redémarre entre-temps n'est pas touché.
    """
    repris = []
    candidats = TraitementPlanifie.objects.filter(
        statut=StatutTraitement.EN_COURS,
        dernier_demarrage__gte=timezone.now() - REPRISE_AUTOMATIQUE,
        job__in=TACHES,
    ).order_by("jour", "job")
    for etat in candidats:
        if verrou_tenu_ailleurs(etat.job):
            continue
        with verrou_job(etat.job) as obtenu:
            if not obtenu:
                continue
            with transaction.atomic():
                mort = TraitementPlanifie.objects.filter(pk=etat.pk, statut=StatutTraitement.EN_COURS).update(
                    statut=StatutTraitement.INTERROMPU,
                    erreur=(
                        f"Processus {etat.hote}, pid {etat.pid} arrêté sans finir (constaté le "
                        f"{timezone.localtime():%d/%m/%Y à %H:%M:%S}) : repris automatiquement."
                    ),
                )
                if mort:
                    planifier(TACHES[etat.job], etat.jour.isoformat())
        if mort:
            logger.warning("Traitement %s du %s interrompu (pid %s mort) : replanifié", etat.job, etat.jour, etat.pid)
            repris.append((etat.job, etat.jour))
    return repris


def traitements_du_jour(jour: date | None = None, *, jobs=JOBS, forcer: bool = False) -> list[Resultat]:
    jour = jour or timezone.localdate()
    return [TRAITEMENTS[job](jour, forcer=forcer) for job in jobs]


def apercu(jour: date) -> dict:
    """Ce que feraient les traitements du ``jour`` (sans rien écrire)."""
    return {
        "a_relancer": demandes_a_relancer(jour).count(),
        "horizon_relances": horizon_relances(jour),
        "relances_en_attente": Relance.objects.filter(statut__in=[Statut.A_ENVOYER, Statut.EN_COURS]).count(),
        "echues": services.demandes_echues(limite_annulation(jour)).count(),
        "a_radier_sans_reponse": services.demandes_a_radier_sans_reponse(jour).count(),
        "a_purger": conservation.demandes_a_purger(jour).count(),
        "limite_annulation": limite_annulation(jour),
        "etats": {e.job: e for e in TraitementPlanifie.objects.filter(jour=jour)},
    }
