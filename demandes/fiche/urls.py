"""La fiche d'une demande : routes incluses dans l'espace de noms ``demandes`` (``demandes/urls.py``)."""

from django.urls import path

from demandes.fiche import views

urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
]
