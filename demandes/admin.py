"""Les demandes ne s'administrent pas ici : toute lecture d'une demande passe par la
politique d'accès et le journal des consultations (écrans « Demande »), ce que
l'administration Django contournerait.

Seules les données réglementaires versionnées s'y tiennent : le gestionnaire
ajoute une année de plafonds, un seuil du 1er quartile ou une nouvelle valeur
d'un délai sans livraison de code (domain.md §8).
"""

from django.contrib import admin, messages
from django.utils import timezone

from demandes.dossier import reglementaire
from demandes.dossier.models import ParametreReglementaire, PlafondRessources, SeuilPremierQuartile


class _VideLeCache:
    """Les lectures de ``demandes.dossier.reglementaire`` sont en cache : une modification s'applique aussitôt ici,
    et au plus tard après ``reglementaire.DUREE_CACHE`` dans les autres processus."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        reglementaire.vider_cache()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        reglementaire.vider_cache()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        reglementaire.vider_cache()


@admin.register(PlafondRessources)
class PlafondRessourcesAdmin(_VideLeCache, admin.ModelAdmin):
    list_display = ["annee", "financement", "zone", "categorie", "montant", "source"]
    list_filter = ["annee", "financement", "zone"]
    search_fields = ["source"]
    ordering = ["-annee", "financement", "zone", "categorie"]

    def changelist_view(self, request, extra_context=None):
        """Les lignes manquantes de l'année en cours et de la précédente se voient : rien n'est extrapolé."""
        annee = timezone.localdate().year
        for an in (annee, annee - 1):
            manquants = reglementaire.texte_plafonds_manquants(an)
            if manquants:
                messages.warning(
                    request,
                    f"Plafonds manquants pour {an} (à charger depuis l'arrêté ; sans eux, la fiche affiche "
                    f"« non publié ») : " + " ; ".join(manquants) + ".",
                )
        return super().changelist_view(request, extra_context)


@admin.register(SeuilPremierQuartile)
class SeuilPremierQuartileAdmin(_VideLeCache, admin.ModelAdmin):
    list_display = ["annee", "epci", "montant", "source"]
    list_filter = ["annee"]
    search_fields = ["epci__nom", "epci__siren", "source"]
    list_select_related = ["epci"]
    autocomplete_fields = ["epci"]


@admin.register(ParametreReglementaire)
class ParametreReglementaireAdmin(_VideLeCache, admin.ModelAdmin):
    list_display = ["code", "libelle", "valeur", "unite", "date_effet", "source"]
    list_filter = ["code"]
    search_fields = ["code", "libelle", "source"]
