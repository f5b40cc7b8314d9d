"""Étude d'impact d'un projet de grille (ses résultats, en JSON ; le calcul : ``cotation.impact.services``)."""

from django.conf import settings
from django.db import models

from cotation.calcul.models import Grille


class EtudeImpact(models.Model):
    """Étude d'impact d'un projet de grille sur le fichier courant (seed 001 §5) : rien n'est modifié."""

    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        EN_COURS = "en_cours", "En cours"
        TERMINEE = "terminee", "Terminée"
        ECHEC = "echec", "Échec"

    grille = models.ForeignKey(Grille, on_delete=models.CASCADE, related_name="etudes")
    reference = models.ForeignKey(Grille, on_delete=models.CASCADE, related_name="+", verbose_name="grille comparée")
    statut = models.CharField(max_length=12, choices=Statut.choices, default=Statut.EN_ATTENTE)
    demandee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    demandee_le = models.DateTimeField(auto_now_add=True)
    terminee_le = models.DateTimeField(null=True, blank=True)
    resultats = models.JSONField(default=dict, blank=True)
    erreur = models.TextField(blank=True)

    class Meta:
        verbose_name = "étude d'impact"
        verbose_name_plural = "études d'impact"
        ordering = ["-demandee_le"]

    def __str__(self):
        return f"Étude d'impact de la grille {self.grille_id} ({self.get_statut_display()})"
