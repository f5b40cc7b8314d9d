"""Prospection, positionnements, propositions et visites sur une vacance (``offre.Disponibilite``).

Quatre objets, chacun avec son état, sa table de transitions
(``instruction/propositions/workflow.py``, docs/statuts.md) et son journal
(une ligne par transition, ``JournalTransition``) :

* ``Positionnement`` : une demande active placée sur une vacance, par le
  bailleur ou par un réservataire (désignation), à un rang ;
* ``Contact`` : un contact avec le candidat avant la CAL (étape, mode,
  résultat, motif), rattaché à un positionnement ou à la vacance seule ;
* ``Proposition`` : le logement proposé au candidat positionné (envoi, date
  limite de réponse, acceptation, refus motivé, absence de réponse) ;
* ``Visite`` : la visite du logement (prévue, réalisée avec son bilan, annulée).

Chaque action écrit aussi l'événement de l'historique de la demande (seed 000)
dans la même transaction (``services.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from demandes.models import Demande
from fdls.organismes.models import Organisme
from fdls.socle.workflow import JournalTransition
from offre.models import Disponibilite


class MotifRefus(models.TextChoices):
    """Motifs d'un refus ou d'un désintérêt du candidat (seed 000 : « Localisation / Quartier »…)."""

    LOCALISATION_QUARTIER = "localisation_quartier", "Localisation / Quartier"
    LOCALISATION_COMMUNE = "localisation_commune", "Localisation / Commune"
    TAILLE = "taille", "Taille du logement / Surface des pièces"
    LOYER = "loyer", "Loyer / Charges trop élevés"
    ETAGE = "etage", "Étage / Accessibilité"
    TYPOLOGIE = "typologie", "Typologie du logement"
    ETAT_LOGEMENT = "etat_logement", "État du logement"
    SITUATION = "situation", "Changement de situation du ménage"
    AUTRE = "autre", "Autre motif"


# ---------------------------------------------------------------- positionnement


class PositionnementQuerySet(models.QuerySet):
    def actifs(self):
        return self.filter(etat__in=Positionnement.ETATS_ACTIFS)


class Positionnement(models.Model):
    """Une demande positionnée sur une vacance, à un rang, sur désignation du bailleur ou d'un réservataire."""

    class Etat(models.TextChoices):
        POSITIONNE = "positionne", "Positionné"
        RETENU = "retenu", "Retenu (proposition acceptée)"
        DECLINE = "decline", "Refus d'être positionné"
        CLOS = "clos", "Clos (proposition refusée ou sans réponse)"
        RETIRE = "retire", "Retiré"

    class Designation(models.TextChoices):
        BAILLEUR = "bailleur", "Bailleur"
        RESERVATAIRE = "reservataire", "Réservataire"

    ETATS_ACTIFS = (Etat.POSITIONNE, Etat.RETENU)

    disponibilite = models.ForeignKey(Disponibilite, on_delete=models.PROTECT, related_name="positionnements")
    demande = models.ForeignKey(Demande, on_delete=models.PROTECT, related_name="positionnements")
    designation = models.CharField("désignation", max_length=15, choices=Designation.choices)
    reservataire = models.ForeignKey(
        Organisme,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="réservataire désignataire",
    )
    rang = models.PositiveSmallIntegerField("rang")
    etat = models.CharField("état", max_length=12, choices=Etat.choices, default=Etat.POSITIONNE)
    organisme = models.ForeignKey(
        Organisme, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="positionné par"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PositionnementQuerySet.as_manager()

    class Meta:
        verbose_name = "positionnement"
        ordering = ["disponibilite", "rang", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["disponibilite", "demande"],
                condition=Q(etat__in=["positionne", "retenu"]),
                name="positionnement_un_actif_par_demande",
                violation_error_message="Cette demande est déjà positionnée sur ce logement.",
            ),
            models.CheckConstraint(
                condition=Q(designation="bailleur", reservataire__isnull=True)
                | Q(designation="reservataire", reservataire__isnull=False),
                name="positionnement_designation_reservataire",
                violation_error_message="Une désignation par un réservataire nomme ce réservataire.",
            ),
        ]
        indexes = [models.Index(fields=["demande", "etat"], name="positionnement_demande")]

    def __str__(self):
        return f"Rang {self.rang} – {self.demande} sur {self.disponibilite.logement}"

    @property
    def actif(self) -> bool:
        return self.etat in self.ETATS_ACTIFS

    @property
    def designation_libelle(self) -> str:
        if self.designation == self.Designation.RESERVATAIRE and self.reservataire_id:
            return f"Réservataire : {self.reservataire.nom}"
        return "Bailleur"


class TransitionPositionnement(JournalTransition):
    champ_objet = "positionnement"

    positionnement = models.ForeignKey(Positionnement, on_delete=models.PROTECT, related_name="transitions")

    class Meta:
        verbose_name = "transition d'un positionnement"
        ordering = ["date", "id"]


# ---------------------------------------------------------------- contact


class Contact(models.Model):
    """Contact avec le candidat avant la CAL (seed 000 « Contact demandeur »)."""

    class Etat(models.TextChoices):
        ENREGISTRE = "enregistre", "Enregistré"

    class Etape(models.TextChoices):
        PRE_CAL = "pre_cal", "Contact pré-CAL"
        PROPOSITION = "proposition", "Suivi de la proposition"
        VISITE = "visite", "Préparation de la visite"

    class Mode(models.TextChoices):
        TELEPHONE = "telephone", "Téléphone"
        COURRIER = "courrier", "Courrier"
        COURRIEL = "courriel", "Courriel"
        SMS = "sms", "SMS"
        ENTRETIEN = "entretien", "Entretien"

    class Resultat(models.TextChoices):
        INTERESSE = "interesse", "Intéressé"
        PAS_INTERESSE = "pas_interesse", "Pas intéressé"
        INJOIGNABLE = "injoignable", "Injoignable"
        REFUS_POSITIONNEMENT = "refus_positionnement", "Refus d'être positionné"
        PROPOSITION_ECARTEE = "proposition_ecartee", "Proposition écartée"
        DECISION_CAL = "decision_cal", "Décision CAL enregistrée"

    # Résultats qui s'expliquent par un motif.
    RESULTATS_MOTIVES = (Resultat.PAS_INTERESSE, Resultat.REFUS_POSITIONNEMENT, Resultat.PROPOSITION_ECARTEE)

    demande = models.ForeignKey(Demande, on_delete=models.PROTECT, related_name="contacts")
    disponibilite = models.ForeignKey(Disponibilite, on_delete=models.PROTECT, related_name="contacts")
    positionnement = models.ForeignKey(
        Positionnement, on_delete=models.PROTECT, related_name="contacts", null=True, blank=True
    )
    date = models.DateField("date du contact")
    etape = models.CharField("étape", max_length=15, choices=Etape.choices, default=Etape.PRE_CAL)
    mode = models.CharField("mode", max_length=10, choices=Mode.choices)
    resultat = models.CharField("résultat", max_length=25, choices=Resultat.choices)
    motif = models.CharField("motif", max_length=25, choices=MotifRefus.choices, blank=True)
    commentaire = models.TextField("commentaire", blank=True)
    etat = models.CharField("état", max_length=12, choices=Etat.choices, default=Etat.ENREGISTRE)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    organisme = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "contact demandeur"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["demande", "-date"], name="contact_demande_date")]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.get_resultat_display()}"


class TransitionContact(JournalTransition):
    champ_objet = "contact"

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="transitions")

    class Meta:
        verbose_name = "transition d'un contact"
        ordering = ["date", "id"]


# ---------------------------------------------------------------- proposition


class Proposition(models.Model):
    """Le logement proposé au candidat positionné (seed 000 « Proposition de logement »)."""

    class Etat(models.TextChoices):
        ENVOYEE = "envoyee", "Envoyée"
        ACCEPTEE = "acceptee", "Acceptée"
        REFUSEE = "refusee", "Refusée par le demandeur"
        SANS_REPONSE = "sans_reponse", "Sans réponse"

    positionnement = models.ForeignKey(Positionnement, on_delete=models.PROTECT, related_name="propositions")
    # Copies du positionnement : lectures par demande (fiche) et par vacance sans jointure.
    demande = models.ForeignKey(Demande, on_delete=models.PROTECT, related_name="propositions")
    disponibilite = models.ForeignKey(Disponibilite, on_delete=models.PROTECT, related_name="propositions")
    date_envoi = models.DateField("date d'envoi")
    date_limite = models.DateField("réponse attendue avant le")
    date_reponse = models.DateField("date de la réponse", null=True, blank=True)
    motif_refus = models.CharField("motif du refus", max_length=25, choices=MotifRefus.choices, blank=True)
    commentaire = models.TextField("commentaire", blank=True)
    etat = models.CharField("état", max_length=12, choices=Etat.choices, default=Etat.ENVOYEE)
    organisme = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "proposition de logement"
        verbose_name_plural = "propositions de logement"
        ordering = ["-date_envoi", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["positionnement"],
                condition=Q(etat="envoyee"),
                name="proposition_une_en_attente",
                violation_error_message="Une proposition attend déjà la réponse de ce candidat.",
            ),
            models.CheckConstraint(
                condition=Q(date_limite__gte=models.F("date_envoi")),
                name="proposition_limite_apres_envoi",
                violation_error_message="La date limite de réponse suit la date d'envoi.",
            ),
        ]
        indexes = [
            models.Index(fields=["demande"], name="proposition_demande"),
            # Job de nuit : propositions envoyées dont la date limite est passée (index partiel, petit).
            models.Index(fields=["date_limite"], name="proposition_en_attente", condition=Q(etat="envoyee")),
        ]

    def __str__(self):
        return f"Proposition {self.pk} du {self.date_envoi:%d/%m/%Y}"


class TransitionProposition(JournalTransition):
    champ_objet = "proposition"

    proposition = models.ForeignKey(Proposition, on_delete=models.PROTECT, related_name="transitions")

    class Meta:
        verbose_name = "transition d'une proposition"
        ordering = ["date", "id"]


# ---------------------------------------------------------------- visite


class Visite(models.Model):
    """La visite du logement par le candidat (seed 000 « Visite de logement » : prévue, réalisée, bilan)."""

    class Etat(models.TextChoices):
        PREVUE = "prevue", "Prévue"
        REALISEE = "realisee", "Réalisée"
        ANNULEE = "annulee", "Annulée"

    positionnement = models.ForeignKey(Positionnement, on_delete=models.PROTECT, related_name="visites")
    demande = models.ForeignKey(Demande, on_delete=models.PROTECT, related_name="visites")
    disponibilite = models.ForeignKey(Disponibilite, on_delete=models.PROTECT, related_name="visites")
    date_prevue = models.DateTimeField("date et heure prévues")
    bilan = models.TextField("bilan / motif", blank=True)
    etat = models.CharField("état", max_length=10, choices=Etat.choices, default=Etat.PREVUE)
    organisme = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "visite de logement"
        ordering = ["-date_prevue", "-id"]
        indexes = [models.Index(fields=["demande"], name="visite_demande")]

    def __str__(self):
        return f"Visite du {self.date_prevue:%d/%m/%Y %H:%M} ({self.get_etat_display().lower()})"


class TransitionVisite(JournalTransition):
    champ_objet = "visite"

    visite = models.ForeignKey(Visite, on_delete=models.PROTECT, related_name="transitions")

    class Meta:
        verbose_name = "transition d'une visite"
        ordering = ["date", "id"]
