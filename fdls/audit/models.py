"""Journal des consultations de données nominatives (append-only).

Chaque lecture d'une donnée nominative (fiche, PDF, export, API) écrit une
ligne. Un trigger PostgreSQL refuse toute modification et toute suppression
hors de la purge de rétention (migration 0002).
"""

from django.apps import apps
from django.conf import settings
from django.db import models


def type_objet_lisible(objet_type: str) -> str:
    """``demandes.demande`` → ``Demande`` : le nom du modèle en français (le code s'il n'existe plus)."""
    try:
        modele = apps.get_model(objet_type)
    except (LookupError, ValueError):
        return objet_type
    return str(modele._meta.verbose_name).capitalize()


class Consultation(models.Model):
    class Action(models.TextChoices):
        CONSULTATION = "consultation", "Consultation de la fiche"
        LISTE = "liste", "Liste / recherche"
        EXPORT = "export", "Export"
        PDF = "pdf", "Édition PDF"
        API = "api", "Lecture par l'API"
        TELECHARGEMENT = "telechargement", "Téléchargement d'une pièce"
        REFUS = "refus", "Tentative refusée"

    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    utilisateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    utilisateur_libelle = models.CharField("utilisateur", max_length=300)
    organisme = models.ForeignKey(
        "organismes.Organisme", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    action = models.CharField("action", max_length=20, choices=Action.choices)
    objet_type = models.CharField("type d'objet", max_length=50)
    objet_id = models.CharField("identifiant de l'objet", max_length=50, db_index=True)
    objet_libelle = models.CharField("objet", max_length=200, blank=True)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    chemin = models.CharField("adresse consultée", max_length=500, blank=True)

    class Meta:
        verbose_name = "consultation"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisme", "-created_at"], name="consultation_org_date"),
            models.Index(fields=["utilisateur", "-created_at"], name="consultation_user_date"),
            models.Index(fields=["objet_type", "objet_id"], name="consultation_objet"),
        ]

    def __str__(self):
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.utilisateur_libelle} {self.action} {self.objet_libelle}"

    @property
    def type_lisible(self) -> str:
        return type_objet_lisible(self.objet_type)
