"""Listes des partenaires (écrans et API) : autant de requêtes SQL avec une ligne qu'avec cinq (pas de N+1)."""

from django.urls import reverse

from fdls.organismes.models import Organisme
from tests.monde.factories import AgentFactory, CommuneFactory, GuichetFactory, OrganismeFactory
from tests.requetes import lignes_de_la_page, requetes_constantes, resultats_api

COMMUNES = {"type": Organisme.Type.COMMUNE}  # l'organisme de l'agent connecté n'est pas de ce type


def _ville():
    """Une ligne qui exerce les compteurs : communes habilitées, guichet actif, agent actif."""
    ville = OrganismeFactory(type=Organisme.Type.COMMUNE, perimetre=CommuneFactory.create_batch(2))
    AgentFactory(organisme=ville, guichet=GuichetFactory(organisme=ville))
    return ville


def test_liste_des_organismes(client, agent_verifie):
    agent_verifie(observateur=True)
    requetes_constantes(lambda: client.get(reverse("organismes:liste"), COMMUNES), _ville, lignes_de_la_page)


def test_annuaire_des_guichets(client, agent_verifie):
    agent_verifie(observateur=True)
    requetes_constantes(lambda: client.get(reverse("organismes:guichets")), _ville, lignes_de_la_page)


def test_agents_d_un_organisme(client, agent_verifie):
    agent_verifie(administrateur=True)
    ville = OrganismeFactory(type=Organisme.Type.COMMUNE)
    requetes_constantes(
        lambda: client.get(reverse("organismes:agents", args=[ville.pk])),
        lambda: AgentFactory(organisme=ville, guichet=GuichetFactory(organisme=ville)),
        lambda reponse: len(reponse.context["agents"]),
    )


def test_api_organismes(client, jeton):
    _, entetes, _ = jeton(observateur=True)
    requetes_constantes(lambda: client.get("/api/v1/organismes/", COMMUNES, headers=entetes), _ville, resultats_api)


def test_api_guichets(client, jeton):
    _, entetes, _ = jeton(observateur=True)
    requetes_constantes(lambda: client.get("/api/v1/guichets/", headers=entetes), _ville, resultats_api)


def test_guichets_de_la_fiche_d_un_organisme(client, agent_verifie):
    agent_verifie(observateur=True)
    ville = OrganismeFactory(type=Organisme.Type.COMMUNE, perimetre=CommuneFactory.create_batch(2))
    requetes_constantes(
        lambda: client.get(reverse("organismes:fiche", args=[ville.pk])),
        lambda: GuichetFactory(organisme=ville),
        lambda reponse: len(reponse.context["guichets"]),
    )
