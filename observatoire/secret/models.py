"""Seuil du secret statistique (paramètre daté) des tableaux diffusés hors du partenariat."""

from django.core.validators import MinValueValidator
from django.db import models


class SeuilSecret(models.Model):
    valeur = models.PositiveSmallIntegerField("effectif minimal d'une case publiée", validators=[MinValueValidator(1)])
    date_effet = models.DateField("en vigueur à partir du", unique=True)
    source = models.CharField(max_length=250)

    class Meta:
        verbose_name = "seuil du secret statistique"
        ordering = ["-date_effet"]

    def __str__(self):
        return f"{self.valeur} à partir du {self.date_effet:%d/%m/%Y}"
