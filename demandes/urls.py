"""Écrans des demandes (espace de noms ``demandes``) : les routes de chaque fonctionnalité, réunies.

Chaque fonctionnalité déclare les siennes dans son ``urls.py`` ; noms et
adresses sont ceux d'avant le rangement en fonctionnalités (``demandes:liste``,
``demandes:detail``, ``demandes:doublons:liste``…).
"""

from django.urls import include, path

from demandes.cycle import urls as cycle
from demandes.editions import urls as editions
from demandes.en_ligne import urls as en_ligne
from demandes.favoris import urls as favoris
from demandes.fiche import urls as fiche
from demandes.labels import urls as labels
from demandes.liste import urls as liste
from demandes.pieces import urls as pieces

app_name = "demandes"

urlpatterns = [
    *liste.urlpatterns,
    *fiche.urlpatterns,
    *cycle.urlpatterns,
    *editions.urlpatterns,
    *pieces.urlpatterns,
    path("doublons/", include("demandes.doublons.urls")),
    *labels.urlpatterns,
    *en_ligne.urlpatterns,
    *favoris.urlpatterns,
]
