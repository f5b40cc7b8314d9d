"""Administration des comptes (agents, demandeurs) et des jetons d'API."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from fdls.comptes import services
from fdls.comptes.models import JetonApi, Role, Utilisateur


def _champ_roles():
    return forms.TypedMultipleChoiceField(
        label="rôles",
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Les rôles autres qu'observateur donnent accès aux données nominatives du territoire.",
    )


class CoherenceCompteMixin:
    """Un agent appartient à un organisme (sauf superutilisateur) ; un demandeur n'a ni organisme ni rôle."""

    def clean(self):
        donnees = super().clean()
        kind = donnees.get("kind")
        organisme = donnees.get("organisme")
        if kind == Utilisateur.Kind.AGENT and organisme is None and not donnees.get("is_superuser"):
            self.add_error("organisme", "Un agent est rattaché à un organisme partenaire.")
        if kind == Utilisateur.Kind.DEMANDEUR:
            if organisme is not None:
                self.add_error("organisme", "Un demandeur n'est rattaché à aucun organisme.")
            if donnees.get("roles"):
                self.add_error("roles", "Un demandeur n'a aucun rôle.")
        return donnees


class UtilisateurCreationForm(CoherenceCompteMixin, AdminUserCreationForm):
    roles = _champ_roles()

    class Meta:
        model = Utilisateur
        fields = ("email", "first_name", "last_name", "kind", "organisme", "roles")

    def clean_email(self):
        email = Utilisateur.objects.normalize_email(self.cleaned_data["email"]).lower()
        if Utilisateur.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Un compte existe déjà avec cette adresse électronique.")
        return email


class UtilisateurChangeForm(CoherenceCompteMixin, UserChangeForm):
    roles = _champ_roles()

    class Meta:
        model = Utilisateur
        fields = "__all__"


@admin.register(Utilisateur)
class UtilisateurAdmin(UserAdmin):
    form = UtilisateurChangeForm
    add_form = UtilisateurCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name", "telephone", "email_verifie_le")}),
        ("Rattachement et rôles", {"fields": ("kind", "organisme", "guichet", "roles")}),
        (
            "Droits sur l'administration",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "first_name",
                    "last_name",
                    "kind",
                    "organisme",
                    "roles",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("email", "last_name", "first_name", "kind", "organisme", "is_active", "is_staff")
    list_filter = ("kind", "is_active", "is_staff", "is_superuser", "organisme__type")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    list_select_related = ("organisme",)
    autocomplete_fields = ("organisme", "guichet")
    readonly_fields = ("last_login", "date_joined")


@admin.register(JetonApi)
class JetonApiAdmin(admin.ModelAdmin):
    """Les clés ne sont jamais stockées : on ne crée pas de jeton ici (profil de l'agent), on les révoque."""

    list_display = ("nom", "agent", "prefixe", "portee", "created_at", "expire_le", "revoque_le", "dernier_usage")
    list_filter = ("portee",)
    search_fields = ("nom", "prefixe", "agent__email")
    list_select_related = ("agent",)
    readonly_fields = ("agent", "nom", "prefixe", "empreinte", "portee", "created_at", "revoque_le", "dernier_usage")
    fields = (
        "agent",
        "nom",
        "prefixe",
        "empreinte",
        "portee",
        "created_at",
        "expire_le",
        "revoque_le",
        "dernier_usage",
    )
    actions = ["revoquer"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Révoquer les jetons sélectionnés")
    def revoquer(self, request, queryset):
        jetons = list(queryset.filter(revoque_le__isnull=True))
        for jeton in jetons:
            services.revoquer_jeton(jeton=jeton)
        self.message_user(request, f"{len(jetons)} jeton(s) révoqué(s).", messages.SUCCESS)
