"""Un agent de guichet traite un doublon suspecté : liste, comparaison, fusion confirmée."""

import datetime

import pytest

from demandes.doublons import services as doublons
from demandes.models import Demande, SuspicionDoublon
from tests.monde.factories import (
    DemandeFactory,
)

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_fusion_d_un_doublon_suspecte(page, connecter, agent):
    reze, guichet = agent.reze, agent.guichet
    naissance = datetime.date(1985, 4, 12)
    ancienne = DemandeFactory(
        nom="Lefebvre", prenom="Hélène", date_naissance=naissance, guichet=guichet, communes=[reze],
        date_depot=datetime.date(2024, 3, 1), numero_unique="044032400000120001",
    )  # fmt: skip
    recente = DemandeFactory(
        nom="Lefebre", prenom="Helene", date_naissance=naissance, guichet=guichet, communes=[reze],
        date_depot=datetime.date(2025, 6, 15), numero_unique="044062500000220001",
    )  # fmt: skip
    assert doublons.detecter_doublons_fichier()["suspicions_creees"] == 1

    connecter(agent)
    page.goto("/demandes/doublons/")
    assert page.get_by_role("heading", level=1).inner_text() == "Doublons suspectés"
    tableau = page.get_by_role("table", name="Suspicions de doublon")
    assert "LEFEBRE Helene" in tableau.inner_text()
    tableau.get_by_role("link", name="Comparer").click()

    page.wait_for_url("**/demandes/doublons/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "Doublon suspecté : comparer les deux demandes"
    comparaison = page.get_by_role("table", name="Les deux demandes côte à côte")
    assert "01/03/2024" in comparaison.inner_text()
    page.get_by_role("button", name="Fusionner en gardant la demande 044 0625 000002 20001").click()

    page.wait_for_url("**/fusionner/?garder=*")
    assert "prend la date de dépôt initial du 01/03/2024" in page.content()
    page.get_by_role("button", name="Confirmer la fusion").click()

    page.wait_for_url("**/demandes/doublons/*/")
    assert "la demande 044 0625 000002 20001 est conservée" in page.get_by_role("status").inner_text()
    historique = page.get_by_role("table", name="Événements des deux demandes")
    assert historique.get_by_role("rowheader", name="Fusion de demandes en doublon").count() == 2
    ancienne.refresh_from_db()
    recente.refresh_from_db()
    assert (ancienne.etat, ancienne.fusionnee_dans) == (Demande.Etat.ANNULEE, recente)
    assert recente.date_depot == datetime.date(2024, 3, 1)
    assert SuspicionDoublon.objects.get().statut == SuspicionDoublon.Statut.FUSIONNEE
