"""Listes du référentiel et des types de labels (API) : autant de requêtes SQL avec une ligne qu'avec cinq."""

import itertools

from demandes.labels import services as labels
from tests.monde.factories import CommuneFactory, DepartementFactory, EpciFactory, OrganismeFactory, QuartierFactory
from tests.requetes import requetes_constantes, resultats_api

_codes = itertools.count(971)


def _vendee():
    return DepartementFactory(code="85", nom="Vendée")


def test_api_departements(client, jeton):
    _, entetes, _ = jeton(observateur=True)  # son organisme est en Loire-Atlantique (44)
    requetes_constantes(
        lambda: client.get("/api/v1/departements/", headers=entetes),
        lambda: DepartementFactory(code=str(next(_codes)), nom="Outre-mer"),
        lambda reponse: len([d for d in reponse.json()["results"] if d["code"] != "44"]),
    )


def test_api_epci(client, jeton):
    _, entetes, _ = jeton(observateur=True)
    requetes_constantes(
        lambda: client.get("/api/v1/epci/", {"departement": "85"}, headers=entetes),
        lambda: CommuneFactory(departement=_vendee(), epci=EpciFactory()),
        resultats_api,
    )


def test_api_communes(client, jeton):
    _, entetes, _ = jeton(observateur=True)
    requetes_constantes(
        lambda: client.get("/api/v1/communes/", {"departement": "85"}, headers=entetes),
        lambda: CommuneFactory(departement=_vendee()),
        resultats_api,
    )


def test_api_quartiers(client, jeton):
    _, entetes, _ = jeton(observateur=True)
    requetes_constantes(
        lambda: client.get("/api/v1/quartiers/", headers=entetes), lambda: QuartierFactory(), resultats_api
    )


def test_api_types_de_labels(client, jeton):
    """Les contingents des communes s'ajoutent aux types du référentiel (migrations) : 1 puis 5 de plus."""
    _, entetes, _ = jeton(reservataire=True)
    deja = resultats_api(client.get("/api/v1/types-labels/", headers=entetes))
    requetes_constantes(
        lambda: client.get("/api/v1/types-labels/", headers=entetes),
        lambda: labels.creer_contingents_communaux([OrganismeFactory(commune=True, perimetre=[CommuneFactory()])]),
        lambda reponse: resultats_api(reponse) - deja,
    )
