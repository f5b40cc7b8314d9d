"""Pièces justificatives du dossier (seed 001 §2) ; écritures par ``demandes/pieces/services.py``."""

from django.conf import settings
from django.db import models

from demandes.dossier import choix
from demandes.dossier.models import Demande, Personne
from fdls.organismes.models import Organisme


class PieceQuerySet(models.QuerySet):
    """Une pièce se voit (se modifie) si sa demande se voit (se modifie) : fdls/acces.py."""

    def visibles_par(self, user):
        return self.filter(demande__in=Demande.objects.visibles_par(user).values("pk"))

    def modifiables_par(self, user):
        return self.filter(demande__in=Demande.objects.modifiables_par(user).values("pk"))

    def valides(self):
        return self.filter(etat=Piece.Etat.VALIDE)


class Piece(models.Model):
    """Pièce justificative du dossier unique (seed 001 §2), déposée par un guichet.

    Le fichier est rangé hors de la racine web (réglage ``FDLS_PIECES_ROOT``)
    sous un nom aléatoire (``chemin``), jamais sous son nom d'origine ; il
    n'est servi que par une vue qui applique la politique d'accès et journalise
    la lecture. Les écritures passent par ``demandes/pieces.py``.
    """

    class Etat(models.TextChoices):
        VALIDE = "valide", "Valide"
        OBSOLETE = "obsolete", "Obsolète"

    demande = models.ForeignKey(Demande, on_delete=models.PROTECT, related_name="pieces")
    type = models.CharField("type de pièce", max_length=40, choices=choix.TypePiece.choices)
    personne = models.ForeignKey(
        Personne,
        on_delete=models.SET_NULL,
        related_name="pieces",
        null=True,
        blank=True,
        verbose_name="personne concernée",
    )
    # Nom de la personne au dépôt : reste lisible si elle quitte ensuite le ménage.
    personne_libelle = models.CharField("personne concernée (au dépôt)", max_length=310, blank=True)
    nom_origine = models.CharField("nom du fichier d'origine", max_length=255)
    type_contenu = models.CharField("type de contenu vérifié", max_length=50)
    taille = models.PositiveBigIntegerField("taille (octets)")
    empreinte = models.CharField("empreinte SHA-256", max_length=64)
    chemin = models.CharField("chemin de stockage", max_length=100, unique=True, editable=False)
    deposee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    organisme = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    deposee_le = models.DateTimeField("déposée le", db_index=True)
    etat = models.CharField("état", max_length=10, choices=Etat.choices, default=Etat.VALIDE)
    obsolete_le = models.DateTimeField("rendue obsolète le", null=True, blank=True)
    obsolete_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    motif_obsolescence = models.TextField("motif de l'obsolescence", blank=True)

    objects = PieceQuerySet.as_manager()

    class Meta:
        verbose_name = "pièce justificative"
        verbose_name_plural = "pièces justificatives"
        ordering = ["demande", "-deposee_le", "-id"]
        indexes = [models.Index(fields=["demande", "etat", "type"], name="piece_demande_etat_type")]
        constraints = [
            models.CheckConstraint(condition=models.Q(taille__gt=0), name="piece_non_vide"),
            models.CheckConstraint(
                condition=models.Q(etat="valide") | models.Q(obsolete_le__isnull=False),
                name="piece_obsolete_datee",
                violation_error_message="Une pièce obsolète porte la date de sa mise à l'obsolescence.",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} – demande {self.demande_id}"

    @property
    def valide(self) -> bool:
        return self.etat == self.Etat.VALIDE
