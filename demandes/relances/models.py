"""Rappels de renouvellement avant l'échéance et journal des SMS (``demandes/relances/traitements.py``)."""

from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver

from demandes.dossier.models import Demande, Evenement, TraitementPlanifie
from fdls.socle.taches import planifier


class Relance(models.Model):
    """Rappel de renouvellement envoyé au demandeur avant l'échéance (CCH R441-2-7).

    Au plus une ligne par demande × échéance × canal (contrainte unique) :
    écrite « à envoyer » d'abord, passée « en cours » juste avant l'envoi
    (avec sa clé d'idempotence), « envoyée » juste après, par des commits
    durables (docs/reliability.md, docs/statuts.md).
    """

    class Canal(models.TextChoices):
        COURRIER = "courrier", "Courrier"
        COURRIEL = "courriel", "Courriel"
        SMS = "sms", "SMS"

    class Statut(models.TextChoices):
        A_ENVOYER = "a_envoyer", "À envoyer"
        EN_COURS = "en_cours", "Envoi en cours"
        ENVOYEE = "envoyee", "Envoyée"
        ECHEC = "echec", "Échec"
        SANS_OBJET = "sans_objet", "Sans objet"

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="relances")
    echeance = models.DateField("échéance visée")
    canal = models.CharField(max_length=10, choices=Canal.choices)
    destinataire = models.CharField("adresse, numéro ou adresse postale", max_length=300, blank=True)
    statut = models.CharField(max_length=12, choices=Statut.choices, default=Statut.A_ENVOYER)
    tentatives = models.PositiveSmallIntegerField(default=0)
    cle_idempotence = models.CharField(
        "clé d'idempotence donnée au fournisseur",
        max_length=100,
        blank=True,
        help_text="Notée avant l'envoi : Message-ID du courriel, référence du SMS, nom du fichier du courrier.",
    )
    tentee_le = models.DateTimeField("dernière tentative", null=True, blank=True)
    envoyee_le = models.DateTimeField("date d'envoi", null=True, blank=True)
    erreur = models.TextField(blank=True)
    traitement = models.ForeignKey(
        TraitementPlanifie, on_delete=models.SET_NULL, related_name="relances", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "relance avant échéance"
        verbose_name_plural = "relances avant échéance"
        ordering = ["-echeance", "demande", "canal"]
        constraints = [
            models.UniqueConstraint(fields=["demande", "echeance", "canal"], name="relance_demande_echeance_canal")
        ]
        indexes = [
            models.Index(
                fields=["id"], name="relance_a_traiter", condition=models.Q(statut__in=["a_envoyer", "en_cours"])
            ),
        ]

    def __str__(self):
        return f"Relance {self.get_canal_display().lower()} de {self.demande_id} pour le {self.echeance:%d/%m/%Y}"


class SmsJournal(models.Model):
    """SMS « envoyés » par le backend journal (développement, démonstration, tests) : rien ne part."""

    numero = models.CharField(max_length=20)
    texte = models.TextField()
    reference = models.CharField("clé d'idempotence", max_length=60, unique=True)
    envoye_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "SMS (journal)"
        verbose_name_plural = "SMS (journal)"
        ordering = ["-envoye_le"]

    def __str__(self):
        return f"{self.numero} : {self.texte[:40]}"


@receiver(post_save, sender=Evenement, dispatch_uid="demandes_suites_changement_echeance")
def _planifier_suites_echeance(sender, instance, created, raw=False, **kwargs):
    """Renouvellement ou réactivation : les rappels de l'ancienne échéance deviennent sans objet.

    Tâche de suite passée par l'outbox (même transaction que le service) : elle
    part au commit, ou au retour du broker s'il est arrêté.
    """
    if created and not raw and instance.type in (Evenement.Type.RENOUVELLEMENT, Evenement.Type.REACTIVATION):
        planifier("demandes.tasks.clore_relances", instance.demande_id)
