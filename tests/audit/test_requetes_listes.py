"""Journal des consultations : autant de requêtes SQL avec une ligne qu'avec cinq (pas de N+1)."""

from django.urls import reverse

from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation
from tests.monde.factories import AgentFactory, DemandeFactory
from tests.requetes import lignes_de_la_page, requetes_constantes


def test_journal_des_consultations(client, agent_verifie):
    agent_verifie(administrateur=True)
    requetes_constantes(
        lambda: client.get(reverse("audit:journal")),
        lambda: journaliser_consultation(
            user=AgentFactory(), objet=DemandeFactory(), action=Consultation.Action.CONSULTATION
        ),
        lignes_de_la_page,
    )
