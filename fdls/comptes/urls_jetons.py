"""Jetons d'API de l'agent connecté, montés sous ``compte/jetons/`` (fdls/urls.py)."""

from django.urls import path

from fdls.comptes import views_jetons

app_name = "jetons"

urlpatterns = [
    path("", views_jetons.liste, name="liste"),
    path("creer/", views_jetons.creer, name="creer"),
    path("<int:pk>/revoquer/", views_jetons.revoquer, name="revoquer"),
]
