"""Jetons d'API de l'agent connecté, montés sous ``compte/jetons/`` (fdls/urls.py)."""

from django.urls import path

from fdls.comptes.jetons import views

app_name = "jetons"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("creer/", views.creer, name="creer"),
    path("<int:pk>/revoquer/", views.revoquer, name="revoquer"),
]
