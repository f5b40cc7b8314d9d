"""Attente estimée des demandes analogues, calculée la nuit (``cotation.transparence.attentes``)."""

from django.db import models

from fdls.territoires.models import Commune


class AttenteEstimee(models.Model):
    """Attente des demandes analogues (commune du 1er choix × plus petite typologie), calculée la nuit.

    Deux chiffres montrés au demandeur (CCH R441-2-17, ``cotation.transparence``) :

    - ``moyenne_observee_mois`` : délai moyen (dépôt → attribution) des demandes analogues satisfaites
      dans les ``periode_observee_mois`` derniers mois (12, ou 36 s'il y en a trop peu), ``attributions``
      demandes ; toujours au niveau exact commune × typologie ;
    - ``mediane_mois`` [``bas_mois``, ``haut_mois``] : médiane de Kaplan–Meier du temps jusqu'à
      l'attribution et son intervalle de confiance à 80 %, qui compte aussi les demandes encore en attente
      (``effectif`` demandes déposées dans les ``annees`` dernières années, au niveau de regroupement
      ``niveau``). Une borne vide : la courbe ne descend pas jusque-là, « plus de ``suivi_mois`` mois ».
    """

    class Niveau(models.TextChoices):
        COMMUNE_TYPOLOGIE = "commune_typologie", "Même commune, même typologie"
        EPCI_TYPOLOGIE = "epci_typologie", "Même intercommunalité, même typologie"
        COMMUNE = "commune", "Même commune, toutes typologies"
        EPCI = "epci", "Même intercommunalité, toutes typologies"
        AUCUN = "aucun", "Pas assez de demandes comparables"

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    typologie = models.CharField(max_length=10)
    niveau = models.CharField("regroupement", max_length=20, choices=Niveau.choices)
    mediane_mois = models.FloatField("médiane (mois)", null=True)
    bas_mois = models.FloatField("borne basse à 80 % (mois)", null=True)
    haut_mois = models.FloatField("borne haute à 80 % (mois)", null=True)
    suivi_mois = models.FloatField("plus longue attente observée (mois)", null=True)
    effectif = models.PositiveIntegerField("demandes comptées", default=0)
    annees = models.PositiveSmallIntegerField("demandes déposées depuis (années)", default=3)
    moyenne_observee_mois = models.FloatField("délai moyen observé (mois)", null=True)
    attributions = models.PositiveIntegerField("attributions observées", default=0)
    periode_observee_mois = models.PositiveSmallIntegerField("attributions des derniers (mois)", default=12)
    calcule_le = models.DateTimeField()

    class Meta:
        verbose_name = "attente estimée des demandes analogues"
        verbose_name_plural = "attentes estimées des demandes analogues"
        constraints = [models.UniqueConstraint(fields=["commune", "typologie"], name="attente_cle")]

    def __str__(self):
        return f"{self.commune_id} {self.typologie} : {self.mediane_mois} mois"
