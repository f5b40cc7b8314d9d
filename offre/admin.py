"""Le parc se gère dans les écrans « Offre » (services : copie de la localisation,
journal des vacances) ; l'administration Django ne le montre qu'en lecture."""

from django.contrib import admin

from offre.models import Disponibilite, Logement, Programme


class LectureSeule(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Programme)
class ProgrammeAdmin(LectureSeule):
    list_display = ["nom", "code", "bailleur", "commune", "qpv", "annee_construction"]
    list_filter = ["qpv", "financement"]
    search_fields = ["nom", "code"]
    list_select_related = ["bailleur", "commune"]


@admin.register(Logement)
class LogementAdmin(LectureSeule):
    list_display = ["code", "programme", "typologie", "categorie", "financement", "loyer"]
    list_filter = ["typologie", "categorie", "financement"]
    search_fields = ["code", "programme__code", "programme__nom"]
    list_select_related = ["programme"]
    show_full_result_count = False


@admin.register(Disponibilite)
class DisponibiliteAdmin(LectureSeule):
    list_display = ["logement", "date_disponibilite", "motif", "etat", "reservataire"]
    list_filter = ["etat", "motif"]
    list_select_related = ["logement__programme", "reservataire"]
