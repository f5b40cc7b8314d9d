"""Journal de la vie d'une grille de cotation (la grille elle-même : ``cotation.calcul.models``)."""

from django.db import models

from cotation.calcul.models import Grille
from fdls.socle.workflow import JournalTransition


class TransitionGrille(JournalTransition):
    """Journal des transitions d'état d'une grille (table : ``cotation.grilles.services.WORKFLOW_GRILLE``)."""

    champ_objet = "grille"

    grille = models.ForeignKey(Grille, on_delete=models.PROTECT, related_name="transitions")
    date_effet = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "transition de grille"
        ordering = ["grille", "date", "id"]

    def __str__(self):
        return f"{self.grille_id} : {self.etat_avant or '—'} → {self.etat_apres}"
