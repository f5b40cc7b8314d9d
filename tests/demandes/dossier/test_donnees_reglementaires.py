"""Données réglementaires complètes et datées (issue 17, point 5 ; domain.md §8).

Les montants 2025 et 2026 « à vérifier » sont confirmés par domain.md §8 ; les
PLAI connus sont chargés, les lignes manquantes se voient comme manquantes ;
sans seuil du 1er quartile, les écrans le disent à l'administrateur.
"""

import datetime
import html
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains

from demandes.dossier import reglementaire
from demandes.models import PlafondRessources, SeuilPremierQuartile
from tests.monde.factories import AgentFactory
from tests.monde.territoires import territoire_nantes

D = Decimal
pytestmark = pytest.mark.django_db

MAINTENANT = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("annee", "categorie", "montant"),
    [(2025, 3, D("37259")), (2025, 4, D("44982")), (2026, 3, D("37584"))],
)
def test_les_plus_a_verifier_sont_confirmes_par_leur_source(annee, categorie, montant):
    ligne = PlafondRessources.objects.get(financement="PLUS", zone="autres", annee=annee, categorie=categorie)
    assert ligne.montant == montant
    assert "vérifier" not in ligne.source
    assert "LEGIARTI" in ligne.source


def test_plus_aucune_valeur_chargee_n_est_a_verifier():
    assert not PlafondRessources.objects.filter(source__icontains="à vérifier").exists()


def test_les_plai_2025_autres_regions_connus_sont_charges():
    montants = [reglementaire.plafond("PLAI", c, 2025, "autres") for c in range(1, 5)]
    assert montants == [D("12759"), D("18591"), D("22356"), D("24875")]


def test_les_plafonds_manquants_sont_listes():
    manquants = reglementaire.plafonds_manquants(2025)
    assert ("PLAI", "autres", [5, 6, 7]) in manquants
    assert not [m for m in manquants if m[:2] == ("PLUS", "autres")]
    assert ("PLAI", "idf", [1, 2, 3, 4, 5, 6, 7]) in manquants


def test_l_administration_des_plafonds_montre_les_lignes_manquantes(client, agent_verifie):
    agent_verifie(AgentFactory(is_staff=True, is_superuser=True))
    with time_machine.travel(MAINTENANT, tick=False):
        reponse = client.get(reverse("admin:demandes_plafondressources_changelist"))
    assertContains(reponse, "Plafonds manquants")
    assertContains(reponse, "PLAI 2025, autres régions : catégories 5, 6, personne supplémentaire")


def test_la_grille_dit_qu_aucun_seuil_du_premier_quartile_n_est_charge(client, agent_verifie):
    m = territoire_nantes(grille=True, administrateurs=True)
    agent_verifie(m.admin_epci)
    url = reverse("cotation:grille", args=[m.grille.pk])

    def page() -> str:
        with time_machine.travel(MAINTENANT, tick=False):
            reponse = client.get(url)
        assert reponse.status_code == 200
        return html.unescape(reponse.content.decode())

    # Le monde des tests charge un seuil de 2020 : il s'applique encore, l'écran le dit.
    texte = page()
    assert "Aucun seuil du 1er quartile n'est chargé pour Nantes Métropole en 2026" in texte
    assert "le seuil de 2020" in texte

    SeuilPremierQuartile.objects.filter(epci_id=m.grille.epci_id).delete()
    reglementaire.vider_cache()
    texte = page()
    assert "Aucun seuil du 1er quartile n'est chargé pour Nantes Métropole en 2026" in texte
    assert "ne donne de points à personne" in texte
    assert "« Vos revenus relèvent du premier quartile »" in texte

    SeuilPremierQuartile.objects.create(epci_id=m.grille.epci_id, annee=2026, montant=9000, source="essai")
    reglementaire.vider_cache()
    assert "Aucun seuil du 1er quartile" not in page()
