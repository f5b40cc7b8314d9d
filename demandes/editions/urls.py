"""Éditions PDF d'une demande : routes incluses dans l'espace de noms ``demandes`` (``demandes/urls.py``)."""

from django.urls import path

from demandes.editions import views

urlpatterns = [
    path("<int:pk>/synthese.pdf", views.synthese_pdf, name="synthese_pdf"),
    path("<int:pk>/attestation.pdf", views.attestation_pdf, name="attestation_pdf"),
]
