"""Routes des études d'impact (incluses dans l'espace de noms « cotation » par ``cotation/urls.py``)."""

from django.urls import path

from . import views

urlpatterns = [
    # Études d'impact d'un projet de grille (seed 001 §5).
    path("grilles/<int:pk>/impact/", views.lancer, name="lancer_impact"),
    path("impact/<int:pk>/", views.etude, name="etude_impact"),
    path("impact/<int:pk>/statut/", views.statut, name="statut_impact"),
    path("impact/<int:pk>/resultats/", views.resultats, name="resultats_impact"),
    path("impact/<int:pk>/export.xlsx", views.export, name="export_impact"),
]
