"""Jetons d'API de l'agent : autant de requêtes SQL avec un jeton qu'avec cinq (pas de N+1)."""

from django.urls import reverse

from fdls.comptes import services
from tests.requetes import requetes_constantes


def test_liste_des_jetons(client, agent_verifie):
    agent = agent_verifie()
    requetes_constantes(
        lambda: client.get(reverse("jetons:liste")),
        lambda: services.creer_jeton(agent=agent, nom="ERP"),
        lambda reponse: len(reponse.context["jetons"]),
    )
