"""Référentiel territorial : départements, EPCI, communes, quartiers (QPV)."""

from django.contrib.postgres.fields import ArrayField
from django.db import models


class Departement(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    nom = models.CharField("nom", max_length=100)
    region = models.CharField("code région", max_length=2)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.nom}"

    @property
    def code_nu(self) -> str:
        """Code sur 3 chiffres utilisé en tête du numéro unique (044…)."""
        return self.code.zfill(3)


class Epci(models.Model):
    class Type(models.TextChoices):
        METRO = "METRO", "Métropole"
        CU = "CU", "Communauté urbaine"
        CA = "CA", "Communauté d'agglomération"
        CC = "CC", "Communauté de communes"

    siren = models.CharField("SIREN", max_length=9, primary_key=True)
    nom = models.CharField("nom", max_length=150)
    type = models.CharField("type", max_length=5, choices=Type.choices)
    population = models.PositiveIntegerField("population municipale", default=0)

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Commune(models.Model):
    code_insee = models.CharField("code INSEE", max_length=5, primary_key=True)
    nom = models.CharField("nom", max_length=100, db_index=True)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(Epci, on_delete=models.PROTECT, related_name="communes", null=True, blank=True)
    codes_postaux = ArrayField(models.CharField(max_length=5), verbose_name="codes postaux", default=list)
    population = models.PositiveIntegerField("population", default=0)

    class Meta:
        verbose_name = "commune"
        ordering = ["nom"]

    def __str__(self):
        return f"{self.nom} ({self.code_insee})"


class Quartier(models.Model):
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="quartiers")
    nom = models.CharField("nom", max_length=150)
    code = models.CharField("code QPV", max_length=12, blank=True)
    qpv = models.BooleanField("quartier prioritaire (QPV)", default=False)
    veille = models.BooleanField("quartier de veille", default=False)

    class Meta:
        verbose_name = "quartier"
        ordering = ["commune__nom", "nom"]
        constraints = [models.UniqueConstraint(fields=["commune", "nom"], name="quartier_unique_par_commune")]

    def __str__(self):
        suffixe = " (QPV)" if self.qpv else ""
        return f"{self.nom}{suffixe} – {self.commune.nom}"
