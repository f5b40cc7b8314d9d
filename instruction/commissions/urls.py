"""Commissions d'attribution, séances, décisions et éditions (espace de noms « instruction »)."""

from django.urls import path

from instruction.commissions import views

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("commissions/", views.commissions, name="commissions"),
    path("commissions/creer/", views.creer_commission, name="creer_commission"),
    path("commissions/seances/", views.planifier_seance, name="planifier_seance"),
    path("seances/<int:pk>/", views.seance, name="seance"),
    path("seances/<int:pk>/inscrire/", views.inscrire_logement, name="inscrire_logement"),
    path("seances/<int:pk>/clore/", views.clore_seance, name="clore_seance"),
    path("seances/<int:pk>/vote/", views.ouvrir_vote, name="ouvrir_vote"),
    path("seances/<int:pk>/ordre-du-jour.pdf", views.ordre_du_jour_pdf, name="ordre_du_jour_pdf"),
    path("seances/<int:pk>/proces-verbal.pdf", views.proces_verbal_pdf, name="proces_verbal_pdf"),
    path("examens/<int:pk>/vote/", views.voter, name="voter"),
    path("candidatures/<int:pk>/decision/", views.decider, name="decider"),
    path("candidatures/<int:pk>/reponse/", views.repondre, name="repondre"),
    path("candidatures/<int:pk>/condition/", views.lever_condition, name="lever_condition"),
    path("candidatures/<int:pk>/bail/", views.signer_bail, name="signer_bail"),
    path("candidatures/<int:pk>/lettre.pdf", views.lettre_pdf, name="lettre_pdf"),
    path("flux/", views.flux, name="flux"),
]
