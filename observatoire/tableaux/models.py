"""Objectifs légaux des attributions (CCH L441-1), en données datées : jamais des constantes du code."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class IndicateurLegal(models.TextChoices):
    PREMIER_QUARTILE_HORS_QPV = (
        "premier_quartile_hors_qpv",
        "Attributions hors QPV au 1er quartile (ou relogés du renouvellement urbain)",
    )
    AUTRES_QUARTILES_QPV = "autres_quartiles_qpv", "Attributions en QPV aux trois autres quartiles"
    MENAGES_PRIORITAIRES = "menages_prioritaires", "Attributions aux ménages prioritaires"
    MUTATIONS = "mutations", "Attributions aux locataires HLM (mutations)"


class Objectif(models.Model):
    indicateur = models.CharField(max_length=30, choices=IndicateurLegal.choices)
    taux = models.DecimalField(
        "taux visé (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    date_effet = models.DateField("en vigueur à partir du")
    source = models.CharField(max_length=250)

    class Meta:
        verbose_name = "objectif légal d'attribution"
        ordering = ["indicateur", "-date_effet"]
        constraints = [models.UniqueConstraint(fields=["indicateur", "date_effet"], name="objectif_unique")]

    def __str__(self):
        return f"{self.get_indicateur_display()} : {self.taux} %"
