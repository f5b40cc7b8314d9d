"""Saisie et cycle de vie d'une demande : routes incluses dans l'espace de noms ``demandes`` (``demandes/urls.py``)."""

from django.urls import path

from demandes.cycle import views

urlpatterns = [
    path("nouvelle/", views.nouvelle, name="nouvelle"),
    path("communes/", views.communes_suggerees, name="communes_suggerees"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/renouveler/", views.renouveler, name="renouveler"),
    path("<int:pk>/annuler/", views.annuler, name="annuler"),
    path("<int:pk>/avertir/", views.avertir, name="avertir"),
    path("<int:pk>/reponse-avertissement/", views.repondre, name="repondre_avertissement"),
    path("<int:pk>/reactiver/", views.reactiver, name="reactiver"),
    path("<int:pk>/supprimer/", views.supprimer, name="supprimer"),
]
