"""Le générateur de démonstration remplit la table de rapprochement comme ses triggers : par lots (triggers
désarmés, remplissage par lot) et en masse (remplissage complet à la fin). Transactionnel : le mode massif a
ses propres connexions."""

import pytest

from demandes.models import Demande, LocalisationSouhaitee
from demo.generateur import Parametres, generer
from instruction.rapprochement import tenue_sql
from tests.instruction.rapprochement.test_tenue import instantane

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("massif", [False, True])
def test_le_generateur_remplit_la_table_comme_les_triggers(partenaires, massif):
    generer(Parametres(actives=60, graine=5, taille_lot=20, massif=massif, processus=2 if massif else None))
    avant = instantane()
    actives = Demande.objects.filter(etat=Demande.Etat.ACTIVE)
    assert {ligne[0] for ligne in avant} == set(actives.values_list("pk", flat=True))
    assert (
        len(avant)
        == LocalisationSouhaitee.objects.filter(demande__in=actives).values("demande", "commune").distinct().count()
    )
    tenue_sql.remplir_tout()
    assert instantane() == avant
