"""Listes du parc (écrans et API) : autant de requêtes SQL avec une ligne qu'avec cinq (pas de N+1)."""

import pytest
from django.urls import reverse

from offre.models import EtatDisponibilite
from tests.monde.factories import (
    CommuneFactory,
    DisponibiliteFactory,
    LogementFactory,
    OrganismeFactory,
    ProgrammeFactory,
    QuartierFactory,
    agent_bailleur,
)
from tests.requetes import lignes_de_la_page, requetes_constantes, resultats_api

HTMX = {"HX-Request": "true"}


@pytest.fixture
def parc():
    """Un bailleur habilité sur Nantes, un programme en quartier prioritaire, un réservataire."""
    nantes = CommuneFactory(nom="Nantes", code_insee="44109")
    agent = agent_bailleur(perimetre=[nantes])
    programme = ProgrammeFactory(
        bailleur=agent.organisme, commune=nantes, quartier=QuartierFactory(commune=nantes, nom="Malakoff")
    )
    return {"agent": agent, "programme": programme, "ddets": OrganismeFactory(nom="DDETS", type="etat")}


def _logement_vacant(parc):
    """Une ligne qui exerce tout l'affichage : quartier, réservataire, bailleur, vacance ouverte."""
    logement = LogementFactory(programme=parc["programme"], reservataire=parc["ddets"])
    DisponibiliteFactory(logement=logement, etat=EtatDisponibilite.A_POURVOIR, reservataire=parc["ddets"])
    return logement


@pytest.mark.parametrize("entetes", [{}, HTMX], ids=["page", "fragment_htmx"])
def test_liste_des_logements(client, agent_verifie, parc, entetes):
    agent_verifie(parc["agent"])
    requetes_constantes(
        lambda: client.get(reverse("offre:logements"), headers=entetes),
        lambda: _logement_vacant(parc),
        lignes_de_la_page,
    )


@pytest.mark.parametrize("entetes", [{}, HTMX], ids=["page", "fragment_htmx"])
def test_liste_des_vacances(client, agent_verifie, parc, entetes):
    agent_verifie(parc["agent"])
    requetes_constantes(
        lambda: client.get(reverse("offre:disponibilites"), headers=entetes),
        lambda: _logement_vacant(parc),
        lignes_de_la_page,
    )


def test_logements_d_un_programme(client, agent_verifie, parc):
    agent_verifie(parc["agent"])
    requetes_constantes(
        lambda: client.get(reverse("offre:programme", args=[parc["programme"].pk])),
        lambda: _logement_vacant(parc),
        lambda reponse: len(reponse.context["logements"]),
    )


# ---------------------------------------------------------------- API


def test_api_programmes(client, jeton, parc):
    _, entetes, _ = jeton(parc["agent"])
    parc["programme"].delete()
    commune = CommuneFactory(nom="Rezé", code_insee="44143")
    parc["agent"].organisme.perimetre.add(commune)
    quartier = QuartierFactory(commune=commune)
    requetes_constantes(
        lambda: client.get("/api/v1/programmes/", headers=entetes),
        lambda: ProgrammeFactory(bailleur=parc["agent"].organisme, commune=commune, quartier=quartier),
        resultats_api,
    )


def test_api_logements(client, jeton, parc):
    _, entetes, _ = jeton(parc["agent"])
    requetes_constantes(
        lambda: client.get("/api/v1/logements/", headers=entetes), lambda: _logement_vacant(parc), resultats_api
    )


def test_api_vacances(client, jeton, parc):
    _, entetes, _ = jeton(parc["agent"])

    def vacance_suivie():
        # Une vacance et son journal (la déclaration).
        disponibilite = _logement_vacant(parc).disponibilites.get()
        disponibilite.evenements.create(
            etat_apres=EtatDisponibilite.A_POURVOIR, auteur=parc["agent"], organisme=parc["agent"].organisme
        )

    requetes_constantes(lambda: client.get("/api/v1/disponibilites/", headers=entetes), vacance_suivie, resultats_api)
