"""Recherches enregistrées : routes incluses dans l'espace de noms ``demandes`` (``demandes/urls.py``)."""

from django.urls import path

from demandes.favoris import views

urlpatterns = [
    path("favoris/", views.favoris, name="favoris"),
    path("favoris/enregistrer/", views.enregistrer, name="enregistrer_favori"),
    path("favoris/<int:pk>/", views.ouvrir, name="ouvrir_favori"),
    path("favoris/<int:pk>/renommer/", views.renommer, name="renommer_favori"),
    path("favoris/<int:pk>/supprimer/", views.supprimer, name="supprimer_favori"),
]
