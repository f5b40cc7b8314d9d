"""Journal des consultations : seule la purge de rétention peut supprimer, personne ne modifie."""

from datetime import timedelta

import pytest
import time_machine
from django.db import DatabaseError, transaction
from django.utils import timezone

from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation, purger_consultations
from tests.monde.factories import AgentFactory


@pytest.fixture
def journal():
    """Trois consultations : il y a 400 jours, 200 jours et aujourd'hui."""
    agent = AgentFactory()
    maintenant = timezone.now()
    lignes = {}
    for age in (400, 200, 0):
        with time_machine.travel(maintenant - timedelta(days=age), tick=False):
            lignes[age] = journaliser_consultation(user=agent, objet=agent.organisme, action="consultation")
    return lignes


def test_la_purge_ne_supprime_que_les_lignes_au_dela_de_la_retention(journal, settings):
    settings.FDLS_RETENTION_CONSULTATIONS_JOURS = 365

    assert purger_consultations() == 1
    assert set(Consultation.objects.values_list("pk", flat=True)) == {journal[200].pk, journal[0].pk}
    # Relancée (tâche livrée deux fois), elle ne trouve plus rien.
    assert purger_consultations() == 0


def test_la_purge_suit_la_duree_de_retention_reglee(journal, settings):
    settings.FDLS_RETENTION_CONSULTATIONS_JOURS = 180  # CNIL : 6 mois minimum

    assert purger_consultations(taille_lot=1) == 2
    assert list(Consultation.objects.values_list("pk", flat=True)) == [journal[0].pk]


@pytest.mark.parametrize(
    "ecriture",
    [
        pytest.param(lambda qs: qs.delete(), id="delete"),
        pytest.param(lambda qs: qs.update(action="export"), id="update"),
        pytest.param(lambda qs: qs.first().save(), id="save"),
    ],
)
def test_hors_purge_la_base_refuse_toute_modification_ou_suppression(journal, ecriture):
    for age in (400, 0):
        with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
            ecriture(Consultation.objects.filter(pk=journal[age].pk))
    assert Consultation.objects.count() == 3


def test_apres_une_purge_la_meme_transaction_ne_peut_pas_supprimer(journal, settings):
    settings.FDLS_RETENTION_CONSULTATIONS_JOURS = 365
    with transaction.atomic():
        assert purger_consultations() == 1
        with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
            Consultation.objects.filter(pk=journal[0].pk).delete()
    assert Consultation.objects.count() == 2
