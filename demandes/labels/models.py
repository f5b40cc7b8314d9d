"""Priorités, éligibilités et contingents d'une demande (« labels ») ; règles dans ``demandes/labels/services.py``."""

from django.conf import settings
from django.db import models

from demandes.dossier.models import Demande
from fdls.organismes.models import Organisme
from fdls.socle.dates import PREMIER_JOUR


class TypeLabel(models.Model):
    """Référentiel des priorités, éligibilités et contingents qui s'attachent à une demande.

    Exemples des seeds (domain.md §3) : « CP - Dalo », « Eligibilité ALS »,
    « Mairie de Rezé », « CIL NM - Ctg préfectoral ». Qui le pose : l'organisme
    propriétaire s'il y en a un (un contingent communal appartient à sa ville),
    sinon les organismes du type autorisé ; un label automatique ne se pose pas
    à la main, il se calcule (``regle`` dit comment). Les règles sont dans
    ``demandes.labels.peut_poser``.
    """

    class Famille(models.TextChoices):
        PRIORITE = "priorite", "Priorité"
        ELIGIBILITE = "eligibilite", "Éligibilité"
        CONTINGENT = "contingent", "Contingent"

    code = models.SlugField("code", max_length=60, unique=True)
    libelle = models.CharField("libellé", max_length=120, unique=True)
    famille = models.CharField("famille", max_length=12, choices=Famille.choices)
    organisme_proprietaire = models.ForeignKey(
        Organisme,
        on_delete=models.PROTECT,
        related_name="types_labels",
        null=True,
        blank=True,
        verbose_name="organisme propriétaire",
        help_text="Un contingent réservé : seul cet organisme pose et retire le label.",
    )
    type_organisme_autorise = models.CharField(
        "type d'organisme qui le pose",
        max_length=20,
        choices=Organisme.Type.choices,
        blank=True,
        help_text="Sans organisme propriétaire : les réservataires des organismes de ce type le posent.",
    )
    automatique = models.BooleanField("calculé automatiquement", default=False)
    regle = models.TextField("règle de calcul", blank=True)
    actif = models.BooleanField("actif", default=True)
    ordre = models.PositiveSmallIntegerField("ordre d'affichage", default=100)

    class Meta:
        verbose_name = "type de label"
        verbose_name_plural = "types de labels"
        ordering = ["famille", "ordre", "libelle"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(automatique=True, regle__gt="") | models.Q(automatique=False),
                name="type_label_automatique_regle",
                violation_error_message="Un label automatique affiche sa règle de calcul.",
            ),
        ]

    def __str__(self):
        return self.libelle

    @property
    def est_contingent_prefectoral(self) -> bool:
        """Labels « CP » : posés et retirés par les services de l'État (DDETS) seulement (seed 001 §2)."""
        return self.type_organisme_autorise == Organisme.Type.ETAT


class LabelQuerySet(models.QuerySet):
    def actifs(self):
        return self.filter(date_retrait__isnull=True)

    def retires(self):
        return self.filter(date_retrait__isnull=False)


class Label(models.Model):
    """Un label posé sur une demande : par qui (organisme, agent), quand, et son retrait éventuel.

    L'historique se garde : un label retiré reste en base avec sa date et
    l'auteur du retrait ; au plus un label actif par (demande, type).
    """

    demande = models.ForeignKey(Demande, on_delete=models.PROTECT, related_name="labels")
    type = models.ForeignKey(TypeLabel, on_delete=models.PROTECT, related_name="labels", verbose_name="label")
    organisme = models.ForeignKey(
        Organisme, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="posé par"
    )
    date_pose = models.DateField("date de pose")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    auteur_libelle = models.CharField("intervenant", max_length=150)
    commentaire = models.CharField("commentaire", max_length=300, blank=True)
    date_retrait = models.DateField("date de retrait", null=True, blank=True)
    retire_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    retire_par_libelle = models.CharField("retiré par", max_length=150, blank=True)
    motif_retrait = models.CharField("motif du retrait", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LabelQuerySet.as_manager()

    class Meta:
        verbose_name = "label de la demande"
        verbose_name_plural = "labels des demandes"
        ordering = ["demande", "-date_pose", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["demande", "type"], condition=models.Q(date_retrait__isnull=True), name="label_actif_unique"
            ),
            # Dates contrôlées par les services (fdls.socle.dates.controler_date) ; la base garde le plancher.
            models.CheckConstraint(
                condition=models.Q(date_pose__gte=PREMIER_JOUR),
                name="label_pose_depuis_1900",
                violation_error_message="La date de pose du label est antérieure à 1900.",
            ),
            models.CheckConstraint(
                condition=models.Q(date_retrait__isnull=True) | models.Q(date_retrait__gte=models.F("date_pose")),
                name="label_retrait_apres_pose",
                violation_error_message="Le retrait d'un label ne peut précéder sa pose.",
            ),
        ]
        indexes = [
            # Filtre de la liste et de l'API par label (demandes/labels.filtrer_par_label).
            models.Index(
                fields=["type", "demande"], name="label_type_actif", condition=models.Q(date_retrait__isnull=True)
            ),
            models.Index(fields=["demande"], name="label_demande"),
        ]

    def __str__(self):
        return f"{self.type.libelle} ({self.date_pose:%d/%m/%Y})"

    @property
    def actif(self) -> bool:
        return self.date_retrait is None
