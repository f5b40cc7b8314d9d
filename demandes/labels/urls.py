"""Labels d'une demande : routes incluses dans l'espace de noms ``demandes`` (``demandes/urls.py``)."""

from django.urls import path

from demandes.labels import views

urlpatterns = [
    path("<int:pk>/labels/ajouter/", views.ajouter, name="label_ajouter"),
    path("<int:pk>/labels/<int:label_pk>/retirer/", views.retirer, name="label_retirer"),
]
