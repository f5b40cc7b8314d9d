"""Bilans chiffrés (annuel N-1 en janvier, semestriel en juillet) : PDF avec graphiques et classeur XLSX."""

from django.db import models

from observatoire.photos.models import Photo


class TypeBilan(models.TextChoices):
    ANNUEL = "annuel", "Bilan annuel"
    SEMESTRIEL = "semestriel", "Bilan du 1er semestre"


class Bilan(models.Model):
    type = models.CharField(max_length=10, choices=TypeBilan.choices)
    annee = models.PositiveSmallIntegerField("année décrite")
    photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="+")
    pdf = models.CharField("PDF (sous MEDIA_ROOT)", max_length=250)
    xlsx = models.CharField("classeur (sous MEDIA_ROOT)", max_length=250)
    produit_le = models.DateTimeField()

    class Meta:
        verbose_name = "bilan"
        ordering = ["-annee", "type"]
        constraints = [models.UniqueConstraint(fields=["type", "annee"], name="bilan_unique")]

    def __str__(self):
        return f"{self.get_type_display()} {self.annee}"
