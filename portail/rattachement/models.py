from django.conf import settings
from django.db import models
from django.utils import timezone


class CodeRattachementQuerySet(models.QuerySet):
    def en_cours(self):
        return self.filter(
            utilise_le__isnull=True, expire_le__gt=timezone.now(), essais__lt=settings.FDLS_RATTACHEMENT_ESSAIS
        )


class CodeRattachement(models.Model):
    """Code à usage unique qui prouve que le titulaire du compte reçoit le courrier ou les courriels du dossier.

    Seule l'empreinte (HMAC-SHA256 sous ``SECRET_KEY``) est gardée ; le code en clair ne vit que dans la tâche
    d'envoi (outbox) et le message envoyé."""

    class Canal(models.TextChoices):
        COURRIEL = "courriel", "Par courriel, à l'adresse indiquée dans ma demande"
        COURRIER = "courrier", "Par courrier, à l'adresse postale de ma demande"

    demandeur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="codes_rattachement")
    demande = models.ForeignKey("demandes.Demande", on_delete=models.CASCADE, related_name="+")
    canal = models.CharField("canal", max_length=10, choices=Canal.choices)
    empreinte = models.CharField(max_length=64)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    expire_le = models.DateTimeField("expire le")
    essais = models.PositiveSmallIntegerField("essais manqués", default=0)
    utilise_le = models.DateTimeField("utilisé le", null=True, blank=True)

    objects = CodeRattachementQuerySet.as_manager()

    class Meta:
        verbose_name = "code de rattachement"
        verbose_name_plural = "codes de rattachement"
        indexes = [models.Index(fields=["demandeur", "-cree_le"], name="code_rattachement_demandeur")]

    def __str__(self):
        return f"Code de rattachement {self.pk} ({self.get_canal_display()})"
