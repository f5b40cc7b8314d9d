from django.urls import path

from fdls.organismes import views

app_name = "organismes"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("organismes/nouveau/", views.creer_organisme, name="creer"),
    path("organismes/<int:pk>/", views.fiche, name="fiche"),
    path("organismes/<int:pk>/modifier/", views.modifier_organisme, name="modifier"),
    path("organismes/<int:pk>/agents/", views.agents, name="agents"),
    path("organismes/<int:pk>/agents/nouveau/", views.creer_agent, name="creer_agent"),
    path("organismes/<int:pk>/agents/<int:agent_pk>/desactiver/", views.desactiver_agent, name="desactiver_agent"),
    path(
        "organismes/<int:pk>/agents/<int:agent_pk>/renvoyer-invitation/",
        views.renvoyer_invitation,
        name="renvoyer_invitation",
    ),
    path("organismes/<int:pk>/agents/<int:agent_pk>/reactiver/", views.reactiver_agent, name="reactiver_agent"),
    path("guichets/", views.guichets, name="guichets"),
    path("guichets/nouveau/", views.creer_guichet, name="creer_guichet"),
    path("guichets/<int:pk>/modifier/", views.modifier_guichet, name="modifier_guichet"),
]
