"""Demande de logement social — socle minimal.

Ce module porte ce dont la politique d'accès a besoin (guichet
d'enregistrement, localisations souhaitées, compte du demandeur). L'issue
« Demandes » y ajoute le contenu complet du Cerfa 14069, la numérotation et
le cycle de vie.
"""

from django.conf import settings
from django.db import models

from fdls import acces
from fdls.organismes.models import Guichet
from fdls.territoires.models import Commune, Departement, Quartier


class DemandeQuerySet(models.QuerySet):
    def visibles_par(self, user):
        """Demandes que ``user`` peut consulter (CCH R441-2-6, fdls/acces.py)."""
        return acces.filtrer(
            self,
            user,
            departement="departement",
            commune="localisations__commune",
            guichet="guichet",
            demandeur="compte_demandeur",
        )

    def modifiables_par(self, user):
        return acces.filtrer_modifiables(
            self,
            user,
            departement="departement",
            commune="localisations__commune",
            guichet="guichet",
            demandeur="compte_demandeur",
        )

    def actives(self):
        return self.filter(etat=Demande.Etat.ACTIVE)


class Demande(models.Model):
    class Etat(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        ACTIVE = "active", "Active"
        SATISFAITE = "satisfaite", "Satisfaite"
        ANNULEE = "annulee", "Annulée"

    numero_unique = models.CharField("numéro unique", max_length=18, unique=True, null=True, blank=True)
    etat = models.CharField("état", max_length=20, choices=Etat.choices, default=Etat.BROUILLON, db_index=True)
    guichet = models.ForeignKey(
        Guichet, on_delete=models.PROTECT, related_name="demandes", verbose_name="guichet d'enregistrement"
    )
    # Département du fichier (celui du numéro unique, donc du guichet) : la
    # politique d'accès filtre dessus quand un organisme couvre tout le département.
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="+")
    compte_demandeur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="demandes",
        null=True,
        blank=True,
        limit_choices_to={"kind": "demandeur"},
    )
    date_depot = models.DateField("date de dépôt initial", null=True, blank=True)
    nom = models.CharField("nom", max_length=150)
    prenom = models.CharField("prénom", max_length=150)
    date_naissance = models.DateField("date de naissance")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DemandeQuerySet.as_manager()

    class Meta:
        verbose_name = "demande"
        ordering = ["-date_depot", "-id"]
        indexes = [models.Index(fields=["departement", "-date_depot", "-id"], name="demande_dep_depot")]

    def __str__(self):
        return f"{self.numero_unique or 'brouillon'} – {self.nom.upper()} {self.prenom}"


class LocalisationSouhaitee(models.Model):
    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="localisations")
    rang = models.PositiveSmallIntegerField("rang")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    quartier = models.ForeignKey(Quartier, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    date_anciennete = models.DateField("date d'ancienneté", null=True, blank=True)

    class Meta:
        verbose_name = "localisation souhaitée"
        ordering = ["demande", "rang"]
        constraints = [models.UniqueConstraint(fields=["demande", "rang"], name="localisation_rang_unique")]
        indexes = [models.Index(fields=["commune", "demande"], name="localisation_commune")]

    def __str__(self):
        return f"{self.rang}. {self.commune.nom}"
