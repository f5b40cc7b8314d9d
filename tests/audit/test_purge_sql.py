"""Accord de ``audit.purge_sql`` : dans le bloc, une suppression du journal passe (l'ORM ne relit plus la ligne) ;
hors du bloc, même dans la même transaction, la base la refuse."""

import pytest
from django.db import DatabaseError, transaction

from fdls.audit.models import Consultation
from fdls.audit.purge_sql import purge_autorisee
from fdls.audit.services import journaliser_consultation
from tests.monde.factories import AgentFactory


def test_la_suppression_n_est_permise_que_dans_le_bloc():
    agent = AgentFactory()
    lignes = [journaliser_consultation(user=agent, objet=agent.organisme, action="consultation") for _ in range(3)]
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        Consultation.objects.filter(pk=lignes[0].pk).delete()
    with transaction.atomic():
        with purge_autorisee():
            Consultation.objects.filter(pk=lignes[0].pk).delete()
        with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
            Consultation.objects.filter(pk=lignes[1].pk).delete()
    assert set(Consultation.objects.values_list("pk", flat=True)) == {lignes[1].pk, lignes[2].pk}
