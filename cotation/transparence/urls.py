"""Route de la transparence (incluse dans l'espace de noms « cotation » par ``cotation/urls.py``)."""

from django.urls import path

from . import views

urlpatterns = [
    # CCH R441-2-17 : demandes comparables, rang, attente (chargé par l'onglet « Cotation » de la fiche).
    path("demandes/<int:pk>/transparence/", views.transparence, name="transparence"),
]
