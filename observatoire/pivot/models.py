"""Exports du constructeur de tableaux croisés, faits en arrière-plan (workflow ``WORKFLOW_EXPORT``)."""

from django.conf import settings
from django.db import models

from fdls.socle.workflow import JournalTransition
from observatoire.photos.models import Photo


class EtatExport(models.TextChoices):
    DEMANDE = "demande", "Demandé"
    EN_COURS = "en_cours", "En cours"
    PRET = "pret", "Prêt"
    ECHOUE = "echoue", "Échoué"


class FormatExport(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Classeur Excel (XLSX)"
    ODS = "ods", "Classeur OpenDocument (ODS)"


class ExportPivot(models.Model):
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="+")
    parametres = models.JSONField("paramètres du tableau")
    format = models.CharField(max_length=4, choices=FormatExport.choices)
    etat = models.CharField("état", max_length=10, choices=EtatExport.choices, default=EtatExport.DEMANDE)
    progression = models.PositiveSmallIntegerField("avancement (%)", default=0)
    nb_lignes = models.PositiveIntegerField(default=0)
    fichier = models.CharField("fichier produit (sous MEDIA_ROOT)", max_length=250, blank=True)
    erreur = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "export de tableau croisé"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Export {self.pk} ({self.get_etat_display()})"


class TransitionExport(JournalTransition):
    champ_objet = "export"

    export = models.ForeignKey(ExportPivot, on_delete=models.PROTECT, related_name="transitions")

    class Meta:
        verbose_name = "transition d'un export"
        ordering = ["date", "id"]
