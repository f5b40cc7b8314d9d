"""Le monde d'une commission d'attribution : le bailleur de Nantes, sa commission, une séance du jour, un
logement vacant (KALLIMA 2, réservataire la DDETS) et ses candidats positionnés."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from instruction.commissions import services
from instruction.propositions import services as propositions
from tests.instruction.propositions.conftest import monde  # noqa: F401  (le monde de l'instruction)


@dataclass
class Cal:
    monde: object
    commission: object
    seance: object
    positionnements: list

    def examen(self, moins_de_trois=""):
        return services.inscrire_logement(
            auteur=self.monde.agent_bailleur,
            seance=self.seance,
            disponibilite=self.monde.disponibilite,
            moins_de_trois=moins_de_trois,
        )


def positionner(m, n):
    return [
        propositions.positionner_candidat(auteur=m.agent_bailleur, disponibilite=m.disponibilite, demande=m.demande())
        for _ in range(n)
    ]


@pytest.fixture
def cal(monde):  # noqa: F811
    commission = services.creer_commission(
        auteur=monde.agent_bailleur, nom="0001", quorum=2, membres=[monde.agent_bailleur], reservataires=[monde.ddets]
    )
    seance = services.planifier_seance(
        auteur=monde.agent_bailleur,
        commission=commission,
        date_seance=timezone.localdate() - timedelta(days=1),
        lieu="Siège, salle du conseil",
    )
    return Cal(monde=monde, commission=commission, seance=seance, positionnements=positionner(monde, 3))
