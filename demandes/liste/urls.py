"""Liste des demandes et exports : routes incluses dans l'espace de noms ``demandes`` (``demandes/urls.py``)."""

from django.urls import path

from demandes.liste import views

urlpatterns = [
    path("", views.liste, name="liste"),
    path("export.<str:format>", views.exporter, name="export"),
]
