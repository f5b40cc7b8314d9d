"""Préférences de courriel du demandeur et trace des courriels envoyés (clé d'idempotence)."""

from django.conf import settings
from django.db import models


class PreferencesCourriel(models.Model):
    """Ce que le demandeur veut recevoir par courriel ; le rappel de renouvellement et l'avertissement avant
    radiation partent toujours (CCH R441-2-7 et R441-2-8 : le demandeur ne peut pas y renoncer)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences_courriel", primary_key=True
    )
    suivi = models.BooleanField(
        "la vie de ma demande",
        default=True,
        help_text="Enregistrement, validation de la demande en ligne, renouvellement, modification par un organisme, "
        "pièce ajoutée, annulation.",
    )
    decisions = models.BooleanField(
        "les décisions sur mon dossier",
        default=True,
        help_text="Proposition de logement, passage en commission d'attribution, décision de la commission.",
    )
    rappels_anticipes = models.BooleanField(
        "un rappel dès que je peux renouveler",
        default=True,
        help_text="En plus du rappel obligatoire, un courriel le jour où le renouvellement devient possible.",
    )
    modifie_le = models.DateTimeField("modifiées le", auto_now=True)

    class Meta:
        verbose_name = "préférences de courriel"
        verbose_name_plural = "préférences de courriel"

    def __str__(self):
        return f"Préférences de {self.user}"


class CourrielEnvoye(models.Model):
    """Un courriel envoyé au demandeur : la clé rend chaque envoi idempotent (Celery livre au moins une fois)."""

    cle = models.CharField("clé d'envoi", max_length=120, unique=True)
    destinataire = models.EmailField("destinataire")
    sujet = models.CharField("sujet", max_length=200)
    envoye_le = models.DateTimeField("envoyé le", auto_now_add=True)

    class Meta:
        verbose_name = "courriel envoyé au demandeur"
        verbose_name_plural = "courriels envoyés aux demandeurs"

    def __str__(self):
        return f"{self.sujet} → {self.destinataire}"
