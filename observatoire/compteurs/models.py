"""Compteurs d'activité par jour et organisme (seed 004 : stocks et flux), tenus par un job de nuit."""

from django.db import models


class Indicateur(models.TextChoices):
    """Les lignes de l'écran « Compteurs d'activité » du seed 004, dans son ordre (stocks, puis flux), et deux flux
    du fichier en plus (enregistrements, positionnements). Libellés du seed ; définitions : docs/glossaire.md."""

    # Stocks (fin de journée) : demandes par organisme du guichet d'enregistrement ; décisions de CAL par bailleur
    # de la commission ; propositions par organisme qui les a faites.
    ACTIVES = "actives", "Demandes actives"
    SATISFAITES = "satisfaites", "Demandes satisfaites"  # sur les 12 mois glissants (docs/decisions.md)
    VALIDEES_CAL = "validees_cal", "Demandes validées (Accord commission d'attribution)"
    ATTRIBUEES_EN_INSTANCE = "attribuees_en_instance", "Demandes attribuées en instance (Accord demandeur)"
    PROPOSITIONS_EN_COURS = "propositions_en_cours", "Propositions en cours"
    # Flux du jour, par organisme de l'intervenant.
    ENREGISTREES = "enregistrees", "Demandes enregistrées"
    MODIFIEES = "modifiees", "Demandes modifiées"
    REFUS_DEMANDEURS = "refus_demandeurs", "Refus des demandeurs"
    # Code d'origine gardé (lignes déjà comptées) : l'événement « satisfaction » s'écrit quand le bail et la date
    # d'entrée dans les lieux sont saisis, à l'instant de la saisie.
    ATTRIBUEES = "attribuees", "Dates entrée dans les lieux saisies"
    ACCORDS_CAL = "accords_cal", "Accords de la commission d'attribution"
    PROPOSITIONS_ACCEPTEES = "propositions_acceptees", "Propositions acceptées par le demandeur"
    ANNULEES = "annulees", "Demandes annulées"
    NON_RENOUVELEES = "non_renouvelees", "Demandes non renouvelées"
    RENOUVELEES = "renouvelees", "Demandes renouvelées"
    REFUS_CAL = "refus_cal", "Refus par la commission d'attribution"
    POSITIONNEES = "positionnees", "Positionnements sur un logement"
    PROPOSITIONS = "propositions", "Propositions effectuées"


STOCKS = (
    Indicateur.ACTIVES,
    Indicateur.SATISFAITES,
    Indicateur.VALIDEES_CAL,
    Indicateur.ATTRIBUEES_EN_INSTANCE,
    Indicateur.PROPOSITIONS_EN_COURS,
)


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
