"""Comptes : agents des organismes partenaires et demandeurs (portail).

Un seul modèle d'utilisateur (Django n'en permet qu'un) avec un ``kind`` :
les agents appartiennent à un organisme et ont des rôles ; les demandeurs
n'ont ni organisme ni rôle, se connectent par le portail et ne voient que
leurs propres demandes (fdls/acces/).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Role(models.TextChoices):
    AGENT_GUICHET = "agent_guichet", "Agent de guichet"
    INSTRUCTEUR_BAILLEUR = "instructeur_bailleur", "Instructeur bailleur"
    RESERVATAIRE = "reservataire", "Réservataire"
    OBSERVATEUR = "observateur", "Observateur (statistiques)"
    ADMINISTRATEUR = "administrateur", "Administrateur gestionnaire"


class UtilisateurManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        extra.setdefault("roles", [Role.ADMINISTRATEUR])
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})

    def agents(self):
        return self.filter(kind=Utilisateur.Kind.AGENT)

    def demandeurs(self):
        return self.filter(kind=Utilisateur.Kind.DEMANDEUR)


class Utilisateur(AbstractBaseUser, PermissionsMixin):
    class Kind(models.TextChoices):
        AGENT = "agent", "Agent d'un organisme partenaire"
        DEMANDEUR = "demandeur", "Demandeur"

    email = models.EmailField("adresse électronique", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    kind = models.CharField("type de compte", max_length=20, choices=Kind.choices, default=Kind.AGENT)
    # Références paresseuses : les organismes gèrent les comptes de leurs agents (ils importent les comptes).
    organisme = models.ForeignKey(
        "organismes.Organisme", on_delete=models.PROTECT, related_name="agents", null=True, blank=True
    )
    guichet = models.ForeignKey(
        "organismes.Guichet",
        on_delete=models.SET_NULL,
        related_name="agents",
        null=True,
        blank=True,
        verbose_name="guichet d'exercice",
    )
    roles = ArrayField(
        models.CharField(max_length=30, choices=Role.choices), verbose_name="rôles", default=list, blank=True
    )
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    email_verifie_le = models.DateTimeField("adresse vérifiée le", null=True, blank=True)
    is_staff = models.BooleanField("accès à l'administration Django", default=False)
    is_active = models.BooleanField("actif", default=True)
    date_joined = models.DateTimeField("créé le", default=timezone.now)

    objects = UtilisateurManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name"]
        constraints = [
            # Un agent appartient toujours à un organisme ; un demandeur jamais.
            models.CheckConstraint(
                condition=Q(kind="demandeur", organisme__isnull=True, roles=[])
                | Q(kind="agent", organisme__isnull=False)
                | Q(kind="agent", is_superuser=True),
                name="utilisateur_kind_coherent",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.mot_de_passe_change = True

    def save(self, *args, **kwargs):
        revoquer = getattr(self, "mot_de_passe_change", False) and self.pk is not None
        super().save(*args, **kwargs)
        if revoquer:
            # Mot de passe changé ou réinitialisé (formulaires, administration, changepassword) : les jetons
            # d'API de l'agent ne survivent pas à la reprise de son compte.
            JetonApi.objects.filter(agent=self).revoquer()
        self.mot_de_passe_change = False

    def get_full_name(self):
        return f"{self.first_name} {self.last_name.upper()}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    @property
    def is_agent(self) -> bool:
        return self.kind == self.Kind.AGENT

    @property
    def is_demandeur(self) -> bool:
        return self.kind == self.Kind.DEMANDEUR

    def a_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    def libelles_roles(self) -> list[str]:
        return [Role(r).label for r in self.roles if r in Role.values]


def duree_max_jeton() -> timedelta:
    return timedelta(days=settings.FDLS_JETON_DUREE_MAX_JOURS)


class JetonApiQuerySet(models.QuerySet):
    def valides(self):
        now = timezone.now()
        return self.filter(revoque_le__isnull=True, expire_le__gt=now, created_at__gt=now - duree_max_jeton())

    def revoquer(self) -> int:
        return self.filter(revoque_le__isnull=True).update(revoque_le=timezone.now())


class JetonApi(models.Model):
    """Jeton d'API rattaché à un agent (donc à son organisme et à ses droits).

    Seule l'empreinte SHA-256 est stockée ; la clé n'est montrée qu'à la création.
    """

    class Portee(models.TextChoices):
        LECTURE = "lecture", "Lecture seule"
        ECRITURE = "ecriture", "Lecture et écriture"

    agent = models.ForeignKey(Utilisateur, on_delete=models.CASCADE, related_name="jetons_api")
    nom = models.CharField("nom du système partenaire", max_length=100)
    prefixe = models.CharField(max_length=8, db_index=True)
    empreinte = models.CharField(max_length=64, unique=True)
    portee = models.CharField("portée", max_length=10, choices=Portee.choices, default=Portee.LECTURE)
    created_at = models.DateTimeField(auto_now_add=True)
    expire_le = models.DateTimeField("expire le")
    revoque_le = models.DateTimeField("révoqué le", null=True, blank=True)
    dernier_usage = models.DateTimeField("dernier usage", null=True, blank=True)

    objects = JetonApiQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"

    def __str__(self):
        return f"{self.nom} ({self.prefixe}…)"

    @property
    def echeance(self):
        """Fin de validité : l'échéance choisie, au plus la durée maximale après la création."""
        return min(self.expire_le, self.created_at + duree_max_jeton())

    @staticmethod
    def empreinte_de(cle: str) -> str:
        return hashlib.sha256(cle.encode()).hexdigest()

    @classmethod
    def generer_cle(cls) -> str:
        return secrets.token_urlsafe(32)
