"""Le journal des consultations est en lecture seule dans l'administration Django."""

import pytest
from django.urls import reverse

from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation
from tests.monde.factories import AgentFactory, DemandeFactory


@pytest.fixture
def superutilisateur(agent_verifie):
    return agent_verifie(AgentFactory(is_superuser=True, is_staff=True, administrateur=True))


def test_le_journal_se_lit_sans_pouvoir_etre_modifie_ni_supprime(client, superutilisateur):
    ligne = journaliser_consultation(user=AgentFactory(), objet=DemandeFactory(), action="consultation")

    liste = client.get(reverse("admin:audit_consultation_changelist"))
    fiche = client.get(reverse("admin:audit_consultation_change", args=[ligne.pk]))

    assert liste.status_code == 200
    assert fiche.status_code == 200
    assert b'name="_save"' not in fiche.content
    assert client.get(reverse("admin:audit_consultation_add")).status_code == 403
    assert client.post(reverse("admin:audit_consultation_delete", args=[ligne.pk]), {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:audit_consultation_changelist"),
        {"action": "delete_selected", "_selected_action": [ligne.pk], "post": "yes"},
    )
    assert Consultation.objects.filter(pk=ligne.pk).exists()
