"""Suspicions de doublon : paires de demandes qui pourraient concerner le même ménage (docs/doublons.md)."""

from django.conf import settings
from django.db import models

from demandes.dossier.models import Demande


class SuspicionDoublon(models.Model):
    """Paire de demandes actives qui pourraient concerner le même ménage."""

    class Statut(models.TextChoices):
        A_TRAITER = "a_traiter", "À traiter"
        FUSIONNEE = "fusionnee", "Fusionnée"
        DISTINCTES = "distinctes", "Demandes distinctes"

    class Source(models.TextChoices):
        SAISIE = "saisie", "À l'enregistrement"
        NUIT = "nuit", "Détection nocturne"

    demande_a = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="+")
    demande_b = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField("score de ressemblance (0–100)")
    motif = models.CharField("ressemblance", max_length=200)
    source = models.CharField(max_length=10, choices=Source.choices)
    statut = models.CharField(max_length=12, choices=Statut.choices, default=Statut.A_TRAITER, db_index=True)
    detectee_le = models.DateTimeField(auto_now_add=True)
    traitee_le = models.DateTimeField(null=True, blank=True)
    traitee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = "suspicion de doublon"
        verbose_name_plural = "suspicions de doublon"
        ordering = ["-score", "-detectee_le"]
        constraints = [
            models.UniqueConstraint(fields=["demande_a", "demande_b"], name="doublon_paire_unique"),
            models.CheckConstraint(
                condition=models.Q(demande_a__lt=models.F("demande_b")), name="doublon_paire_ordonnee"
            ),
        ]

    def __str__(self):
        return f"{self.demande_a_id} ~ {self.demande_b_id} ({self.score})"
