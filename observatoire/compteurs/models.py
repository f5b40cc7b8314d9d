"""Compteurs d'activité par jour et organisme (seed 004 : stocks et flux), tenus par un job de nuit."""

from django.db import models


class Indicateur(models.TextChoices):
    # Stock (fin de journée), par organisme du guichet d'enregistrement.
    ACTIVES = "actives", "Demandes actives"
    # Flux du jour, par organisme de l'intervenant.
    ENREGISTREES = "enregistrees", "Demandes enregistrées"
    RENOUVELEES = "renouvelees", "Demandes renouvelées"
    MODIFIEES = "modifiees", "Demandes modifiées"
    ANNULEES = "annulees", "Demandes annulées ou radiées"
    POSITIONNEES = "positionnees", "Positionnements sur un logement"
    PROPOSITIONS = "propositions", "Propositions effectuées"
    PROPOSITIONS_ACCEPTEES = "propositions_acceptees", "Propositions acceptées par le demandeur"
    REFUS_DEMANDEURS = "refus_demandeurs", "Refus des demandeurs"
    ACCORDS_CAL = "accords_cal", "Accords de la commission d'attribution"
    REFUS_CAL = "refus_cal", "Refus par la commission d'attribution"
    ATTRIBUEES = "attribuees", "Baux signés (demandes satisfaites)"


STOCKS = (Indicateur.ACTIVES,)


class CompteurActivite(models.Model):
    jour = models.DateField()
    # Null : traitement automatisé ou demandeur (aucun organisme).
    organisme_id = models.BigIntegerField(null=True)
    indicateur = models.CharField(max_length=30, choices=Indicateur.choices)
    motif = models.CharField("motif (annulations)", max_length=30, blank=True, default="")
    valeur = models.PositiveIntegerField()

    class Meta:
        verbose_name = "compteur d'activité"
        constraints = [
            models.UniqueConstraint(
                fields=["jour", "organisme_id", "indicateur", "motif"],
                name="compteur_activite_unique",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["indicateur", "jour"], name="compteur_indicateur_jour")]

    def __str__(self):
        return f"{self.jour:%d/%m/%Y} {self.indicateur} : {self.valeur}"


class JourCompte(models.Model):
    """Un jour dont les compteurs sont faits (le job de nuit reprend les jours manquants)."""

    jour = models.DateField(primary_key=True)
    compte_le = models.DateTimeField()

    class Meta:
        verbose_name = "jour compté"

    def __str__(self):
        return f"{self.jour:%d/%m/%Y}"
