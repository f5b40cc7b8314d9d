"""Listes des grilles de cotation (écran et API) : autant de requêtes SQL avec une grille qu'avec cinq."""

from django.urls import reverse

from cotation.grilles.grille_nantes import GRILLE_NANTES_METROPOLE
from cotation.grilles.services import installer_grille
from tests.monde.factories import EpciFactory
from tests.requetes import requetes_constantes, resultats_api


def _grille_d_un_nouveau_territoire():
    return installer_grille(GRILLE_NANTES_METROPOLE, EpciFactory().pk)


def test_liste_des_grilles(client, agent_verifie):
    agent_verifie(administrateur=True)
    requetes_constantes(
        lambda: client.get(reverse("cotation:grilles")),
        _grille_d_un_nouveau_territoire,
        lambda reponse: sum(len(grilles) for grilles in reponse.context["par_epci"].values()),
    )


def test_api_grilles(client, jeton):
    _, entetes, _ = jeton(administrateur=True)
    requetes_constantes(
        lambda: client.get("/api/v1/cotation/grilles/", headers=entetes), _grille_d_un_nouveau_territoire, resultats_api
    )
