"""Journal des consultations dans l'administration : lecture seule (journal en ajout seul)."""

from django.contrib import admin

from fdls.audit.models import Consultation


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "utilisateur_libelle", "organisme", "action", "objet_type", "objet_id", "ip")
    list_filter = ("action", "objet_type")
    search_fields = ("utilisateur_libelle", "objet_id", "objet_libelle")
    list_select_related = ("organisme",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = [f.name for f in Consultation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
