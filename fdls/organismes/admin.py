"""Administration des partenaires (listes de référence du gestionnaire).

Le territoire d'habilitation compte jusqu'à des milliers de communes : saisie
par recherche (autocomplete), jamais par une liste déroulante complète.
"""

from django.contrib import admin
from django.db.models import Count

from fdls.organismes.models import Guichet, Organisme


class GuichetInline(admin.TabularInline):
    """Guichets de l'organisme, en lecture : ils se modifient sur leur propre page (code figé)."""

    model = Guichet
    fields = ["code", "nom", "type", "commune", "actif"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisme)
class OrganismeAdmin(admin.ModelAdmin):
    list_display = ["nom", "sigle", "type", "departement", "nombre_communes", "actif"]
    list_filter = ["type", "actif", "departement"]
    search_fields = ["nom", "sigle", "siren"]
    autocomplete_fields = ["departement", "perimetre"]
    inlines = [GuichetInline]
    fieldsets = [
        (None, {"fields": ["nom", "sigle", "type", "siren", "departement", "actif"]}),
        ("Coordonnées", {"fields": ["adresse", "telephone", "email"]}),
        ("Territoire d'habilitation (CCH R441-2-6)", {"fields": ["perimetre"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("departement").annotate(_nb=Count("perimetre"))

    @admin.display(description="communes habilitées", ordering="_nb")
    def nombre_communes(self, obj):
        return obj._nb


@admin.register(Guichet)
class GuichetAdmin(admin.ModelAdmin):
    list_display = ["code", "nom", "type", "organisme", "commune", "actif", "visible_annuaire"]
    list_filter = ["type", "actif", "visible_annuaire", "organisme__type"]
    search_fields = ["code", "nom", "organisme__nom", "commune__nom"]
    list_select_related = ["organisme", "commune"]
    autocomplete_fields = ["organisme", "commune"]

    def get_readonly_fields(self, request, obj=None):
        # Le code termine les numéros uniques déjà attribués : il ne change plus.
        return ["code"] if obj is not None else []
