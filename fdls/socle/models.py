"""Outbox des tâches Celery : écrite dans la transaction métier.

Une tâche planifiée par ``fdls.socle.taches.planifier`` n'existe que si la
transaction qui l'a demandée a été validée, et elle n'est jamais perdue si le
broker est arrêté au moment du commit : le relais la renvoie dès son retour.
La ligne reste jusqu'à ce que la tâche ait tourné (« exécutée », acquittée
par le worker) : une tâche confiée au broker puis perdue par lui est
republiée (docs/reliability.md §1).
"""

from django.db import models


class TacheSortante(models.Model):
    class Etat(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente d'envoi"
        ENVOYEE = "envoyee", "Envoyée au broker"
        EXECUTEE = "executee", "Exécutée"
        ECHEC = "echec", "En échec (à examiner)"

    nom = models.CharField("tâche Celery", max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    etat = models.CharField(max_length=20, choices=Etat.choices, default=Etat.EN_ATTENTE)
    created_at = models.DateTimeField(auto_now_add=True)
    envoyee_le = models.DateTimeField(null=True, blank=True)
    executee_le = models.DateTimeField("exécutée le", null=True, blank=True)
    tentatives = models.PositiveIntegerField(default=0)
    derniere_erreur = models.TextField(blank=True)

    class Meta:
        verbose_name = "tâche en attente d'envoi"
        verbose_name_plural = "tâches en attente d'envoi"
        indexes = [
            models.Index(
                fields=["created_at"],
                name="tache_en_attente",
                condition=models.Q(etat="en_attente"),
            ),
            # Le relais relit les lignes confiées au broker et pas encore exécutées.
            models.Index(
                fields=["envoyee_le"],
                name="tache_envoyee_non_executee",
                condition=models.Q(etat="envoyee"),
            ),
        ]

    def __str__(self):
        return f"{self.nom} ({self.get_etat_display()})"
