"""Routes de la gestion des grilles et du livret (espace de noms « cotation », réunies par ``cotation/urls.py``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("grilles/", views.liste, name="grilles"),
    path("grilles/nouvelle/", views.creer, name="creer"),
    path("grilles/<int:pk>/", views.fiche, name="grille"),
    path("grilles/<int:pk>/modifier/", views.modifier, name="modifier"),
    path("grilles/<int:pk>/nouvelle-version/", views.nouvelle_version, name="nouvelle_version"),
    path("grilles/<int:pk>/programmer/", views.programmer, name="programmer"),
    path("grilles/<int:pk>/annuler-programmation/", views.annuler_programmation, name="annuler_programmation"),
    path("grilles/<int:pk>/archiver/", views.archiver, name="archiver"),
    path("grilles/<int:pk>/familles/ajouter/", views.ajouter_famille, name="ajouter_famille"),
    path("grilles/<int:pk>/familles/<int:famille_pk>/", views.modifier_famille, name="modifier_famille"),
    path("grilles/<int:pk>/familles/<int:famille_pk>/supprimer/", views.supprimer_famille, name="supprimer_famille"),
    path("grilles/<int:pk>/criteres/ajouter/", views.ajouter_critere, name="ajouter_critere"),
    path("grilles/<int:pk>/criteres/<int:critere_pk>/", views.modifier_critere, name="modifier_critere"),
    path("grilles/<int:pk>/criteres/<int:critere_pk>/supprimer/", views.supprimer_critere, name="supprimer_critere"),
    # Livret du demandeur (public pour une grille adoptée).
    path("grilles/<int:pk>/livret/", views.livret_html, name="livret"),
    path("grilles/<int:pk>/livret.pdf", views.livret_pdf, name="livret_pdf"),
]
