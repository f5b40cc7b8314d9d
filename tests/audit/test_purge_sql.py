"""Accord de ``audit.purge_sql`` : la fonction de la base supprime exactement les lignes que l'ORM trouve au-delà
de la rétention, par lots, et l'ORM ne les relit plus ; hors de la fonction, la base refuse toute suppression."""

from datetime import timedelta

import pytest
import time_machine
from django.db import DatabaseError, transaction
from django.utils import timezone

from fdls.audit.models import Consultation
from fdls.audit.purge_sql import purger_lot
from fdls.audit.services import journaliser_consultation
from tests.monde.factories import AgentFactory


def test_la_fonction_supprime_ce_que_l_orm_trouve_au_dela_de_la_retention():
    agent = AgentFactory()
    maintenant = timezone.now()
    for age in (500, 400, 366, 364, 200, 0):
        with time_machine.travel(maintenant - timedelta(days=age), tick=False):
            journaliser_consultation(user=agent, objet=agent.organisme, action="consultation")
    attendues = set(
        Consultation.objects.filter(created_at__lt=timezone.now() - timedelta(days=365)).values_list("pk", flat=True)
    )
    assert len(attendues) == 3

    assert purger_lot(jours=365, taille_lot=2) == 2
    assert purger_lot(jours=365, taille_lot=2) == 1
    assert purger_lot(jours=365, taille_lot=2) == 0
    restantes = set(Consultation.objects.values_list("pk", flat=True))
    assert len(restantes) == 3
    assert not restantes & attendues
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        Consultation.objects.filter(pk__in=restantes).delete()
