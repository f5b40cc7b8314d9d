"""Routes de l'import (incluses dans l'espace de noms « offre » par ``offre/urls.py``)."""

from django.urls import path

from offre.importation import views

urlpatterns = [
    path("import/", views.importer, name="importer"),
    path("import/modele.csv", views.modele_import, name="modele_import"),
    path("import/<int:pk>/", views.rapport_import, name="import"),
    path("import/<int:pk>/lignes-valides/", views.importer_valides, name="importer_valides"),
]
