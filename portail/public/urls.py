from django.urls import path

from . import views

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("eligibilite/", views.eligibilite, name="eligibilite"),
    path("guichets/", views.guichets, name="guichets"),
]
