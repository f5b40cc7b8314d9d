"""Écrans de l'instruction (montés sous ``/instruction/``, espace de noms « instruction ») : chaque
fonctionnalité a ses routes dans son dossier."""

from django.urls import include, path

app_name = "instruction"

urlpatterns = [
    path("", include("instruction.rapprochement.urls")),
    path("", include("instruction.propositions.urls")),
    path("", include("instruction.commissions.urls")),
]
