from django.db import models


class ChiffresTerritoire(models.Model):
    """Photo mensuelle des chiffres clés publics d'un territoire (calculée une fois par mois et par territoire)."""

    class Territoire(models.TextChoices):
        COMMUNE = "commune", "Commune"
        EPCI = "epci", "EPCI"

    territoire = models.CharField(max_length=10, choices=Territoire.choices)
    code = models.CharField("code INSEE ou SIREN", max_length=9)
    mois = models.DateField("mois (premier jour)")
    calcule_le = models.DateTimeField("calculés le", auto_now_add=True)
    donnees = models.JSONField("chiffres (secret statistique appliqué)")

    class Meta:
        verbose_name = "chiffres clés d'un territoire"
        verbose_name_plural = "chiffres clés des territoires"
        constraints = [models.UniqueConstraint(fields=["territoire", "code", "mois"], name="chiffres_territoire_mois")]

    def __str__(self):
        return f"{self.get_territoire_display()} {self.code} – {self.mois:%m/%Y}"
