"""Partenaires du fichier partagé : organismes et guichets d'enregistrement."""

from django.core.validators import RegexValidator
from django.db import models

from fdls.territoires.models import Commune, Departement


class Organisme(models.Model):
    """Personne morale partenaire (CCH R441-2-6), avec son territoire d'habilitation."""

    class Type(models.TextChoices):
        BAILLEUR = "bailleur", "Bailleur social"
        COMMUNE = "commune", "Commune"
        EPCI = "epci", "EPCI"
        DEPARTEMENT = "departement", "Département"
        ETAT = "etat", "État (DDETS)"
        ACTION_LOGEMENT = "action_logement", "Action Logement"
        ADIL = "adil", "ADIL / lieu d'accueil"
        GESTIONNAIRE = "gestionnaire", "Gestionnaire du fichier"
        SIAO = "siao", "SIAO"
        ASSOCIATION = "association", "Association"

    nom = models.CharField("nom", max_length=200, unique=True)
    sigle = models.CharField("sigle", max_length=30, blank=True)
    type = models.CharField("type", max_length=20, choices=Type.choices, db_index=True)
    siren = models.CharField(
        "SIREN", max_length=9, blank=True, validators=[RegexValidator(r"^\d{9}$", "Le SIREN compte 9 chiffres.")]
    )
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="organismes", verbose_name="département de rattachement"
    )
    perimetre = models.ManyToManyField(
        Commune,
        related_name="organismes_habilites",
        blank=True,
        verbose_name="territoire d'habilitation",
        help_text="Communes dont l'organisme peut consulter les demandes (CCH R441-2-6).",
    )
    adresse = models.CharField("adresse", max_length=250, blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("courriel", blank=True)
    actif = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "organisme"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Guichet(models.Model):
    """Guichet d'enregistrement : son code (5 chiffres) termine le numéro unique."""

    class Type(models.TextChoices):
        ACCOMPAGNATEUR = "accompagnateur", "Accompagnateur"
        RELAI = "relai", "Relai"

    code = models.CharField(
        "code guichet",
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^\d{5}$", "Le code guichet compte exactement 5 chiffres.")],
    )
    nom = models.CharField("nom", max_length=200)
    type = models.CharField("type de guichet", max_length=20, choices=Type.choices)
    organisme = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="guichets")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="guichets")
    adresse = models.CharField("adresse", max_length=250, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("courriel", blank=True)
    horaires = models.TextField("horaires d'ouverture au public", blank=True)
    public_accueilli = models.CharField("public accueilli", max_length=200, blank=True, default="Tous demandeurs")
    visible_annuaire = models.BooleanField("visible dans l'annuaire public", default=True)
    actif = models.BooleanField("actif", default=True)

    class Meta:
        verbose_name = "guichet d'enregistrement"
        verbose_name_plural = "guichets d'enregistrement"
        ordering = ["commune__nom", "nom"]

    def __str__(self):
        return f"{self.nom} ({self.code})"

    @property
    def peut_enregistrer(self) -> bool:
        # Seed 001 annexe 2 : seul un guichet accompagnateur enregistre et modifie.
        return self.type == self.Type.ACCOMPAGNATEUR
