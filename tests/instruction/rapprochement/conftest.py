"""Le monde du rapprochement : le territoire de Nantes avec sa grille de cotation, un T3 PLUS à Nantes
(2e étage avec ascenseur, Nantes Métropole Habitat) vacant, et des demandes enregistrées par les services."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from demandes.models import ParametreReglementaire
from tests.monde.factories import DisponibiliteFactory, LogementFactory, ProgrammeFactory
from tests.monde.territoires import territoire_nantes


@pytest.fixture
def m():
    return territoire_nantes(grille=True)


@pytest.fixture
def logement(m):
    programme = ProgrammeFactory(bailleur=m.bailleur, commune=m.nantes, nom="KALLIMA 2", code="0629")
    return LogementFactory(
        programme=programme,
        code="0013",
        typologie="T3",
        etage=2,
        ascenseur=True,
        loyer=Decimal("412.30"),
        charges=Decimal("85.00"),
        financement="PLUS",
    )


@pytest.fixture
def vacance(logement):
    return DisponibiliteFactory(logement=logement, date_disponibilite=datetime.date.today())


@pytest.fixture(autouse=True)
def _occupation(_parametres_reglementaires):
    """Règles d'occupation datées (migration instruction 0001), remises après les tests qui vident les tables."""
    if not ParametreReglementaire.objects.filter(code__startswith="occupation_").exists():
        importlib.import_module("instruction.migrations.0002_rapprochement").charger_occupation(apps, None)
