"""Pièces justificatives d'une demande : routes incluses dans l'espace de noms ``demandes`` (``demandes/urls.py``)."""

from django.urls import path

from demandes.pieces import views

urlpatterns = [
    path("<int:pk>/pieces/", views.liste, name="pieces"),
    path("<int:pk>/pieces/<int:piece_pk>/fichier/", views.telecharger, name="piece_fichier"),
    path("<int:pk>/pieces/<int:piece_pk>/obsolete/", views.obsolete, name="piece_obsolete"),
    path("<int:pk>/pieces/<int:piece_pk>/supprimer/", views.supprimer, name="piece_supprimer"),
]
