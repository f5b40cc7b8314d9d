"""« Mon espace » du demandeur : autant de requêtes SQL avec une demande qu'avec cinq (pas de N+1)."""

from django.urls import reverse

from tests.monde.factories import DemandeFactory, DemandeurFactory
from tests.requetes import requetes_constantes


def test_mes_demandes(client):
    demandeur = DemandeurFactory()
    client.force_login(demandeur)
    requetes_constantes(
        lambda: client.get(reverse("portail:espace")),
        lambda: DemandeFactory(compte_demandeur=demandeur),
        lambda reponse: len(reponse.context["demandes"]),
    )
