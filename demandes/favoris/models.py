"""Recherches enregistrées (« favoris ») : les critères de la liste des demandes qu'un agent a nommés."""

from django.conf import settings
from django.db import models

NOM_MAX = 80


class Favori(models.Model):
    """Critères de la liste des demandes enregistrés par un agent sous un nom, montrés sur son accueil.

    ``criteres`` est la chaîne de requête de la liste (``nom=dupont&etat=active``), déjà validée par le
    filtre de la liste et réduite à ses critères (``favoris.services.criteres_propres``) : pas de
    donnée nominative au-delà de ce que l'agent a tapé, et rien qui ne soit un critère de la liste.
    """

    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favoris", db_index=False
    )
    nom = models.CharField("nom de la recherche", max_length=NOM_MAX)
    criteres = models.CharField("critères", max_length=2000, blank=True)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "recherche enregistrée"
        verbose_name_plural = "recherches enregistrées"
        ordering = ["nom", "id"]
        constraints = [models.UniqueConstraint(fields=["utilisateur", "nom"], name="favori_nom_unique")]

    def __str__(self):
        return self.nom
