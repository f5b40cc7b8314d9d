"""Prospection, positionnements, propositions et visites sur une vacance (espace de noms « instruction »)."""

from django.urls import path

from instruction.propositions import views

urlpatterns = [
    path("disponibilites/<int:pk>/", views.disponibilite, name="disponibilite"),
    # Contrat avec la liste des candidats (/instruction/disponibilites/<pk>/candidats/) : POST ``demande``.
    path("disponibilites/<int:pk>/positionner/", views.positionner, name="positionner"),
    path("disponibilites/<int:pk>/contact/", views.contacter_candidat, name="contacter_candidat"),
    path("positionnements/<int:pk>/contact/", views.contacter, name="contacter"),
    path("positionnements/<int:pk>/retrait/", views.retirer_positionnement, name="retirer_positionnement"),
    path("positionnements/<int:pk>/proposition/", views.proposer, name="proposer"),
    path("positionnements/<int:pk>/visite/", views.planifier_visite, name="planifier_visite"),
    path("propositions/<int:pk>/reponse/", views.repondre_proposition, name="repondre_proposition"),
    path("visites/<int:pk>/bilan/", views.realiser_visite, name="realiser_visite"),
    path("demandes/<int:pk>/instruction/", views.instruction_demande, name="instruction_demande"),
]
