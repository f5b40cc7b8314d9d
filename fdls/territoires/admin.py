"""Administration des listes de référence territoriales (gestionnaire du fichier)."""

from django.contrib import admin

from fdls.territoires.models import Commune, Departement, Epci, Quartier


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "nom", "region"]
    search_fields = ["code", "nom"]
    ordering = ["code"]


@admin.register(Epci)
class EpciAdmin(admin.ModelAdmin):
    list_display = ["nom", "siren", "type", "population"]
    list_filter = ["type"]
    search_fields = ["nom", "siren"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["nom", "code_insee", "departement", "epci", "population"]
    list_filter = ["departement"]
    search_fields = ["nom", "code_insee"]
    list_select_related = ["departement", "epci"]
    autocomplete_fields = ["epci"]
    show_full_result_count = False


@admin.register(Quartier)
class QuartierAdmin(admin.ModelAdmin):
    list_display = ["nom", "commune", "code", "qpv", "veille"]
    list_filter = ["qpv", "veille", "commune__departement"]
    search_fields = ["nom", "code", "commune__nom"]
    list_select_related = ["commune"]
    autocomplete_fields = ["commune"]
