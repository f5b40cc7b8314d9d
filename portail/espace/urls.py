from django.urls import path

from . import views

urlpatterns = [
    path("espace/", views.espace, name="espace"),
    path("espace/demandes/<int:pk>/", views.demande, name="demande"),
    path("espace/demandes/<int:pk>/dossier/", views.dossier, name="dossier"),
    path("espace/demandes/<int:pk>/dossier/modifier/", views.modifier, name="modifier"),
    path("espace/demandes/<int:pk>/renouveler/", views.renouveler, name="renouveler"),
    path("espace/demandes/<int:pk>/historique/", views.historique, name="historique"),
    path("espace/demandes/<int:pk>/documents/", views.documents, name="documents"),
    path("espace/demandes/<int:pk>/consultations/", views.consultations, name="consultations"),
    path("espace/demandes/<int:pk>/attestation.pdf", views.attestation_pdf, name="attestation_pdf"),
    path("espace/demandes/<int:pk>/fiche.pdf", views.fiche_pdf, name="fiche_pdf"),
]
