from django.urls import path

from cotation import views, views_grilles, views_impact, views_transparence

app_name = "cotation"

urlpatterns = [
    # Onglet « Cotation » de la fiche d'une demande (chargé par htmx depuis templates/demandes/detail.html).
    path("demandes/<int:pk>/onglet/", views.onglet_demande, name="onglet_demande"),
    # Transparence (CCH R441-2-17) : demandes comparables, rang, attente (chargé par l'onglet).
    path("demandes/<int:pk>/transparence/", views_transparence.transparence, name="transparence"),
    # Gestion des grilles.
    path("grilles/", views_grilles.liste, name="grilles"),
    path("grilles/nouvelle/", views_grilles.creer, name="creer"),
    path("grilles/<int:pk>/", views_grilles.fiche, name="grille"),
    path("grilles/<int:pk>/modifier/", views_grilles.modifier, name="modifier"),
    path("grilles/<int:pk>/nouvelle-version/", views_grilles.nouvelle_version, name="nouvelle_version"),
    path("grilles/<int:pk>/programmer/", views_grilles.programmer, name="programmer"),
    path("grilles/<int:pk>/annuler-programmation/", views_grilles.annuler_programmation, name="annuler_programmation"),
    path("grilles/<int:pk>/archiver/", views_grilles.archiver, name="archiver"),
    path("grilles/<int:pk>/familles/ajouter/", views_grilles.ajouter_famille, name="ajouter_famille"),
    path("grilles/<int:pk>/familles/<int:famille_pk>/", views_grilles.modifier_famille, name="modifier_famille"),
    path(
        "grilles/<int:pk>/familles/<int:famille_pk>/supprimer/",
        views_grilles.supprimer_famille,
        name="supprimer_famille",
    ),
    path("grilles/<int:pk>/criteres/ajouter/", views_grilles.ajouter_critere, name="ajouter_critere"),
    path("grilles/<int:pk>/criteres/<int:critere_pk>/", views_grilles.modifier_critere, name="modifier_critere"),
    path(
        "grilles/<int:pk>/criteres/<int:critere_pk>/supprimer/",
        views_grilles.supprimer_critere,
        name="supprimer_critere",
    ),
    # Livret du demandeur (public pour une grille adoptée).
    path("grilles/<int:pk>/livret/", views.livret_html, name="livret"),
    path("grilles/<int:pk>/livret.pdf", views.livret_pdf, name="livret_pdf"),
    # Études d'impact d'un projet de grille (seed 001 §5).
    path("grilles/<int:pk>/impact/", views_impact.lancer, name="lancer_impact"),
    path("impact/<int:pk>/", views_impact.etude, name="etude_impact"),
    path("impact/<int:pk>/statut/", views_impact.statut, name="statut_impact"),
    path("impact/<int:pk>/resultats/", views_impact.resultats, name="resultats_impact"),
    path("impact/<int:pk>/export.xlsx", views_impact.export, name="export_impact"),
]
