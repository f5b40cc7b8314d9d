"""Demandes déposées en ligne à valider : routes incluses dans l'espace de noms ``demandes`` (``demandes/urls.py``)."""

from django.urls import path

from demandes.en_ligne import views

urlpatterns = [
    path("en-ligne/", views.file, name="en_ligne"),
    path("en-ligne/<int:pk>/", views.examen, name="en_ligne_examen"),
    path("en-ligne/<int:pk>/valider/", views.valider, name="en_ligne_valider"),
    path("en-ligne/<int:pk>/rejeter/", views.rejeter, name="en_ligne_rejeter"),
]
