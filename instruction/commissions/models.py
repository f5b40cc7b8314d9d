"""Commissions d'attribution des logements (CAL, CALEOL) d'un bailleur, leurs séances et leurs décisions.

* ``Commission`` : la commission d'un bailleur (membres, réservataires invités, quorum) ;
* ``Seance`` : une séance (date, lieu ou à distance), son ordre du jour et son état ;
* ``Examen`` : un logement vacant (``offre.Disponibilite``) inscrit à l'ordre du jour, avec la raison
  écrite quand la commission examine moins de trois demandes (CCH R441-3) ;
* ``Candidature`` : une demande positionnée examinée pour ce logement ; sa décision (R441-3 a à e, ou
  report), son rang, son motif, la pièce manquante et son délai ; puis les suites (acceptation, refus,
  condition levée ou caduque, bail signé, non-attribution après le bail d'un candidat classé devant) ;
* ``Bail`` : le bail signé (dates de signature et d'entrée) qui clôt la vacance ;
* ``ObjectifFlux`` : l'objectif annuel d'attributions d'un réservataire chez un bailleur (gestion en flux).

Chaque objet à état a sa table de transitions (``workflow.py``, docs/statuts.md) et son journal.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from demandes.dossier.choix import TypePiece
from demandes.models import Demande
from fdls.organismes.models import Organisme
from fdls.socle.workflow import JournalTransition
from instruction.propositions.models import Positionnement
from offre.models import Disponibilite


class DecisionCal(models.TextChoices):
    """Décisions de la commission pour chaque candidat (CCH R441-3), et le report de l'examen."""

    ATTRIBUTION = "attribution", "Attribution"
    ATTRIBUTION_RANG = "attribution_rang", "Attribution par ordre de priorité"
    ATTRIBUTION_CONDITION = "attribution_condition", "Attribution sous condition suspensive"
    NON_ATTRIBUTION = "non_attribution", "Non-attribution"
    IRRECEVABILITE = "irrecevabilite", "Irrecevabilité"
    REPORT = "report", "Examen reporté"


#: Décisions d'attribution : elles classent le candidat (rang) et lui ouvrent le logement à son tour.
DECISIONS_ATTRIBUTION = (DecisionCal.ATTRIBUTION, DecisionCal.ATTRIBUTION_RANG, DecisionCal.ATTRIBUTION_CONDITION)
#: Décisions qui s'expliquent par un motif écrit (R441-3 : non-attribution motivée ; irrecevabilité notifiée).
DECISIONS_MOTIVEES = (DecisionCal.NON_ATTRIBUTION, DecisionCal.IRRECEVABILITE)


class MotifDecision(models.TextChoices):
    """Motifs des décisions de la commission (seed 000 : « Attribution sous condition suspensive (pièces
    manquantes) »)."""

    PIECES_MANQUANTES = "pieces_manquantes", "Attribution sous condition suspensive (pièces manquantes)"
    CANDIDAT_PRIORITAIRE = "candidat_prioritaire", "Attribution à un candidat plus prioritaire"
    RESSOURCES_PLAFONDS = "ressources_plafonds", "Ressources supérieures aux plafonds"
    TAUX_EFFORT = "taux_effort", "Taux d'effort trop élevé pour ce logement"
    INADAPTE = "inadapte", "Logement inadapté à la composition ou aux besoins du ménage"
    DOSSIER_INCOMPLET = "dossier_incomplet", "Dossier incomplet"
    SEJOUR = "sejour", "Conditions de séjour régulier non remplies"
    CONDITIONS_ACCES = "conditions_acces", "Conditions réglementaires d'accès au logement social non remplies"
    COMPLEMENT = "complement", "Examen à compléter à une prochaine séance"
    AUTRE = "autre", "Autre motif"


class Commission(models.Model):
    """La commission d'attribution (CALEOL) d'un bailleur."""

    bailleur = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="commissions")
    nom = models.CharField("nom", max_length=100)
    quorum = models.PositiveSmallIntegerField(
        "quorum", default=3, help_text="Nombre de membres à voix délibérative présents ou votants pour délibérer."
    )
    majorite = models.PositiveSmallIntegerField(
        "majorité (%)", default=50, help_text="Une proposition est adoptée au-delà de ce pourcentage des voix."
    )
    reservataires_invites = models.ManyToManyField(
        Organisme, related_name="commissions_invitees", blank=True, verbose_name="réservataires invités"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "commission d'attribution"
        verbose_name_plural = "commissions d'attribution"
        ordering = ["bailleur", "nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["bailleur", "nom"],
                name="commission_nom_unique_par_bailleur",
                violation_error_message="Ce bailleur a déjà une commission de ce nom.",
            ),
        ]

    def __str__(self):
        return self.nom


class Membre(models.Model):
    """Un membre de la commission (agent du fichier), avec ou sans voix délibérative."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="membres")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    qualite = models.CharField("qualité", max_length=100, blank=True)
    voix_deliberative = models.BooleanField("voix délibérative", default=True)

    class Meta:
        verbose_name = "membre d'une commission"
        ordering = ["commission", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["commission", "user"],
                name="membre_unique_par_commission",
                violation_error_message="Cet agent est déjà membre de la commission.",
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.qualite})" if self.qualite else str(self.user)


class Seance(models.Model):
    """Une séance de la commission : date, lieu ou à distance, ordre du jour (``examens``)."""

    class Etat(models.TextChoices):
        PLANIFIEE = "planifiee", "Planifiée"
        VOTE = "vote", "Vote à distance ouvert"
        TENUE = "tenue", "Tenue (procès-verbal arrêté)"
        ANNULEE = "annulee", "Annulée"

    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="seances")
    date = models.DateField("date de la séance")
    heure = models.TimeField("heure", null=True, blank=True)
    lieu = models.CharField("lieu", max_length=200, blank=True)
    a_distance = models.BooleanField("séance à distance (vote dématérialisé)", default=False)
    fin_vote = models.DateTimeField("fin du vote à distance", null=True, blank=True)
    etat = models.CharField("état", max_length=10, choices=Etat.choices, default=Etat.PLANIFIEE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "séance de commission"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(a_distance=True) | ~Q(lieu=""),
                name="seance_lieu_ou_distance",
                violation_error_message="Indiquez le lieu de la séance, ou qu'elle se tient à distance.",
            )
        ]

    def __str__(self):
        return f"{self.commission} - séance du {self.date:%d/%m/%Y}"

    @property
    def lieu_libelle(self) -> str:
        return "À distance (vote dématérialisé)" if self.a_distance else self.lieu


class TransitionSeance(JournalTransition):
    champ_objet = "seance"

    seance = models.ForeignKey(Seance, on_delete=models.PROTECT, related_name="transitions")

    class Meta:
        verbose_name = "transition d'une séance"
        ordering = ["date", "id"]


class Examen(models.Model):
    """Un logement inscrit à l'ordre du jour d'une séance, avec ses candidats."""

    class MoinsDeTrois(models.TextChoices):
        """Exceptions de R441-3 à l'examen d'au moins trois demandes par logement."""

        PEU_DE_CANDIDATS = "peu_de_candidats", "Insuffisance du nombre des candidats"
        PREFET = "prefet", "Candidat désigné par le préfet (DALO, contingent préfectoral)"
        D331_25_1 = "d331_25_1", "Logement financé au titre de l'article D331-25-1 (PLAI adapté)"

    seance = models.ForeignKey(Seance, on_delete=models.PROTECT, related_name="examens")
    disponibilite = models.ForeignKey(Disponibilite, on_delete=models.PROTECT, related_name="examens_cal")
    ordre = models.PositiveSmallIntegerField("ordre")
    moins_de_trois = models.CharField(
        "raison de l'examen de moins de trois demandes", max_length=20, choices=MoinsDeTrois.choices, blank=True
    )
    commentaire = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "logement à l'ordre du jour"
        ordering = ["seance", "ordre", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["seance", "disponibilite"],
                name="examen_un_par_seance",
                violation_error_message="Ce logement est déjà à l'ordre du jour de cette séance.",
            )
        ]

    def __str__(self):
        return f"{self.disponibilite.logement} - {self.seance}"


class Candidature(models.Model):
    """Une demande examinée pour un logement : la décision de la commission et ses suites."""

    class Etat(models.TextChoices):
        INSCRITE = "inscrite", "Inscrite à l'ordre du jour"
        ATTRIBUEE = "attribuee", "Attribuée (réponse du candidat attendue)"
        EN_ATTENTE = "en_attente", "Classée (refus des candidats classés devant attendu)"
        SOUS_CONDITION = "sous_condition", "Attribuée sous condition suspensive"
        NON_ATTRIBUEE = "non_attribuee", "Non-attribution"
        IRRECEVABLE = "irrecevable", "Irrecevable"
        REPORTEE = "reportee", "Examen reporté"
        ACCEPTEE = "acceptee", "Acceptée par le candidat"
        REFUSEE = "refusee", "Refusée par le candidat"
        CADUQUE = "caduque", "Condition suspensive non levée à temps"
        BAIL_SIGNE = "bail_signe", "Bail signé"
        ECARTEE = "ecartee", "Non-attribution : bail signé par le candidat classé devant"
        RETIREE = "retiree", "Retirée (demande satisfaite sur un autre logement)"

    #: Candidats encore en lice pour le logement, dans l'ordre de leur rang.
    ETATS_EN_LICE = (Etat.ATTRIBUEE, Etat.EN_ATTENTE, Etat.SOUS_CONDITION, Etat.ACCEPTEE)

    examen = models.ForeignKey(Examen, on_delete=models.PROTECT, related_name="candidatures")
    positionnement = models.ForeignKey(Positionnement, on_delete=models.PROTECT, related_name="candidatures_cal")
    # Copie du positionnement : lectures par demande (fiche, portail) sans jointure.
    demande = models.ForeignKey(Demande, on_delete=models.PROTECT, related_name="candidatures_cal")
    ordre = models.PositiveSmallIntegerField("ordre de présentation")
    decision = models.CharField("décision", max_length=25, choices=DecisionCal.choices, blank=True)
    rang = models.PositiveSmallIntegerField("rang", null=True, blank=True)
    motif = models.CharField("motif", max_length=25, choices=MotifDecision.choices, blank=True)
    commentaire = models.TextField("commentaire", blank=True)
    piece_manquante = models.CharField("pièce manquante", max_length=30, choices=TypePiece.choices, blank=True)
    date_limite = models.DateField("pièce attendue au plus tard le", null=True, blank=True)
    piece_recue_le = models.DateField("pièce reçue le", null=True, blank=True)
    decidee_le = models.DateTimeField("décision enregistrée le", null=True, blank=True)
    reponse_le = models.DateField("réponse du candidat le", null=True, blank=True)
    motif_refus = models.CharField("motif du refus", max_length=25, blank=True)
    etat = models.CharField("état", max_length=15, choices=Etat.choices, default=Etat.INSCRITE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "candidature examinée en commission"
        ordering = ["examen", "ordre", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["examen", "demande"],
                name="candidature_une_par_examen",
                violation_error_message="Cette demande est déjà à l'ordre du jour pour ce logement.",
            ),
            models.UniqueConstraint(
                fields=["examen", "rang"],
                condition=Q(rang__isnull=False),
                name="candidature_rang_unique",
                violation_error_message="Un autre candidat a déjà ce rang pour ce logement.",
            ),
            models.CheckConstraint(
                condition=~Q(decision="attribution_condition")
                | (Q(date_limite__isnull=False) & ~Q(piece_manquante="")),
                name="candidature_condition_piece_delai",
                violation_error_message="Une attribution sous condition suspensive nomme la pièce et son délai.",
            ),
        ]
        indexes = [
            models.Index(fields=["demande"], name="candidature_demande"),
            # Job de nuit : conditions suspensives dont le délai est passé (index partiel, petit).
            models.Index(fields=["date_limite"], name="candidature_condition", condition=Q(etat="sous_condition")),
        ]

    def __str__(self):
        return f"{self.demande} - {self.examen}"

    @property
    def en_lice(self) -> bool:
        return self.etat in self.ETATS_EN_LICE


class TransitionCandidature(JournalTransition):
    champ_objet = "candidature"

    candidature = models.ForeignKey(Candidature, on_delete=models.PROTECT, related_name="transitions")

    class Meta:
        verbose_name = "transition d'une candidature"
        ordering = ["date", "id"]


class Bail(models.Model):
    """Le bail signé par l'attributaire : la demande est satisfaite, la vacance attribuée."""

    candidature = models.OneToOneField(Candidature, on_delete=models.PROTECT, related_name="bail")
    disponibilite = models.OneToOneField(Disponibilite, on_delete=models.PROTECT, related_name="bail")
    demande = models.ForeignKey(Demande, on_delete=models.PROTECT, related_name="baux")
    # Réservataire dont c'était le tour (gestion en flux) : l'attribution compte sur son flux.
    reservataire = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    bailleur = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="+")
    signe_le = models.DateField("bail signé le")
    entree_le = models.DateField("entrée dans les lieux le")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "bail signé"
        verbose_name_plural = "baux signés"
        ordering = ["-signe_le", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(entree_le__gte=models.F("signe_le")),
                name="bail_entree_apres_signature",
                violation_error_message="L'entrée dans les lieux suit la signature du bail.",
            )
        ]
        indexes = [models.Index(fields=["reservataire", "signe_le"], name="bail_flux")]

    def __str__(self):
        return f"Bail du {self.signe_le:%d/%m/%Y} - {self.disponibilite.logement}"


class ObjectifFlux(models.Model):
    """Objectif annuel d'attributions d'un réservataire sur le flux d'un bailleur (gestion en flux, loi ELAN)."""

    reservataire = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="objectifs_flux")
    bailleur = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="+")
    annee = models.PositiveSmallIntegerField("année")
    objectif = models.PositiveIntegerField("objectif d'attributions")

    class Meta:
        verbose_name = "objectif de flux"
        ordering = ["-annee", "reservataire"]
        constraints = [
            models.UniqueConstraint(
                fields=["reservataire", "bailleur", "annee"],
                name="objectif_flux_unique",
                violation_error_message="Cet objectif est déjà fixé pour cette année.",
            )
        ]

    def __str__(self):
        return f"{self.reservataire} chez {self.bailleur} en {self.annee} : {self.objectif}"


class Vote(models.Model):
    """Le vote d'un membre sur la proposition de la séance pour un logement (séance à distance)."""

    class Choix(models.TextChoices):
        ATTRIBUTION = "attribution", "Attribution selon le classement proposé"
        NON_ATTRIBUTION = "non_attribution", "Non-attribution"
        IRRECEVABILITE = "irrecevabilite", "Irrecevabilité"
        REPORT = "report", "Report de l'examen"

    examen = models.ForeignKey(Examen, on_delete=models.PROTECT, related_name="votes")
    membre = models.ForeignKey(Membre, on_delete=models.PROTECT, related_name="votes")
    choix = models.CharField("vote", max_length=20, choices=Choix.choices)
    commentaire = models.TextField("commentaire", blank=True)
    date = models.DateTimeField("voté le", auto_now=True)

    class Meta:
        verbose_name = "vote à distance"
        ordering = ["examen", "membre"]
        constraints = [
            models.UniqueConstraint(
                fields=["examen", "membre"],
                name="vote_un_par_membre",
                violation_error_message="Ce membre a déjà voté pour ce logement.",
            )
        ]

    def __str__(self):
        return f"{self.membre} : {self.get_choix_display()}"


class JournalVote(models.Model):
    """Audit des votes : chaque vote émis ou changé, en ajout seul."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="journal")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choix = models.CharField("vote", max_length=20, choices=Vote.Choix.choices)
    avant = models.CharField("vote précédent", max_length=20, blank=True)
    date = models.DateTimeField("date", auto_now_add=True)

    class Meta:
        verbose_name = "ligne du journal des votes"
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y %H:%M} {self.avant or '—'} → {self.choix}"
