"""Écrans de la cotation : l'onglet de la fiche, puis les routes de chaque fonctionnalité (même espace de noms)."""

from django.urls import include, path

from . import views
from .grilles import urls as urls_grilles
from .impact import urls as urls_impact
from .transparence import urls as urls_transparence

app_name = "cotation"

urlpatterns = [
    # Onglet « Cotation » de la fiche d'une demande (chargé par htmx depuis templates/demandes/detail.html).
    path("demandes/<int:pk>/onglet/", views.onglet_demande, name="onglet_demande"),
    path("", include(urls_transparence)),
    path("", include(urls_grilles)),
    path("", include(urls_impact)),
]
