"""Le monde de l'instruction d'une vacance : un bailleur et son logement vacant à Nantes, un réservataire
(la DDETS) dont c'est le tour, un autre bailleur, des demandes actives qui souhaitent la commune."""

from dataclasses import dataclass

import pytest

from fdls.comptes.models import Role
from offre.models import Disponibilite
from tests.monde.factories import (
    AgentFactory,
    BailleurFactory,
    CommuneFactory,
    DemandeFactory,
    DisponibiliteFactory,
    OrganismeFactory,
)


@dataclass
class Monde:
    commune: object
    bailleur: object
    agent_bailleur: object
    ddets: object
    agent_ddets: object
    autre_bailleur: object
    agent_autre_bailleur: object
    agent_guichet: object
    disponibilite: Disponibilite

    def demande(self, **kwargs):
        return DemandeFactory(communes=[self.commune], **kwargs)


@pytest.fixture
def monde():
    commune = CommuneFactory(nom="Nantes")
    bailleur = BailleurFactory(nom="Nantes Métropole Habitat", perimetre=[commune])
    ddets = OrganismeFactory(nom="DDETS de Loire-Atlantique", etat=True, perimetre=[commune])
    autre = BailleurFactory(nom="Autre bailleur", perimetre=[commune])
    disponibilite = DisponibiliteFactory(
        logement__programme__bailleur=bailleur,
        logement__programme__commune=commune,
        logement__programme__nom="KALLIMA 2",
        logement__programme__code="0629",
        logement__code="0013",
        reservataire=ddets,
    )
    return Monde(
        commune=commune,
        bailleur=bailleur,
        agent_bailleur=AgentFactory(organisme=bailleur, roles=[Role.INSTRUCTEUR_BAILLEUR]),
        ddets=ddets,
        agent_ddets=AgentFactory(organisme=ddets, roles=[Role.RESERVATAIRE]),
        autre_bailleur=autre,
        agent_autre_bailleur=AgentFactory(organisme=autre, roles=[Role.INSTRUCTEUR_BAILLEUR]),
        agent_guichet=AgentFactory(organisme=OrganismeFactory(perimetre=[commune], commune=True)),
        disponibilite=disponibilite,
    )
