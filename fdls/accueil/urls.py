"""Accueil, rubriques, administration et sonde de santé (espace de noms « socle », inchangé)."""

from django.urls import path, re_path

from fdls.accueil import views
from fdls.socle import views as vues_socle

app_name = "socle"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("healthz", vues_socle.healthz, name="healthz"),
    path("administration/", views.administration, name="administration"),
    # Rubriques du menu encore sans écran métier (fdls.accueil.views.RUBRIQUES).
    re_path(r"^(?P<nom>offre|instruction|statistiques|editions)/$", views.section, name="section"),
]
