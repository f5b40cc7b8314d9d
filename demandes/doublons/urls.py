"""Écrans des doublons suspectés : espace de noms ``demandes:doublons``."""

from django.urls import path

from demandes.doublons import views

app_name = "doublons"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("<int:pk>/", views.comparaison, name="comparaison"),
    path("<int:pk>/fusionner/", views.fusion, name="fusion"),
    path("<int:pk>/distinctes/", views.distinctes, name="distinctes"),
]
