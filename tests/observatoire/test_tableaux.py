"""Tableaux standard sur le petit fichier connu, et accès aux écrans de l'observatoire par rôle."""

from decimal import Decimal

import pytest
from django.urls import reverse

from fdls.comptes.models import Role
from observatoire.croisement.grille import Territoire
from observatoire.photos.services import photographier_fichier
from observatoire.tableaux import selectors
from tests.monde.factories import AgentFactory, DemandeurFactory, LogementFactory, OrganismeFactory
from tests.observatoire.monde import PHOTO, fichier_connu


@pytest.fixture
def connu():
    f = fichier_connu()
    LogementFactory.create_batch(2, programme__commune=f.m.nantes, programme__bailleur=f.m.bailleur)
    f.photo = photographier_fichier(PHOTO).photo
    return f


def _lignes(grille) -> dict:
    return dict(grille.lignes) | ({grille.total[0]: grille.total[1]} if grille.total else {})


def test_pression_satisfaction_anciennete_et_delais(connu):
    t = Territoire()
    pression = _lignes(selectors.pression(connu.photo, t, 2025)[0])
    # T3 : E1, E4, E5, E6 en cours ; A1, A3, A6 attribués en T3 en 2025 (A2 en T4, A5 et A4 en T2, A7 en T1).
    assert pression["T3 - 3 pièces"] == [4, 3, Decimal("1.3"), Decimal("75.0")]
    assert pression["Total"] == [6, 7, Decimal("0.9"), Decimal("116.7")]

    anciennete = _lignes(selectors.anciennete(connu.photo, t, 2025)[0])
    # Moins de 6 mois : E1 (3 mois) et E5 (0) ; 6-12 : E2 ; 12-24 : E3, E6 ; 24 et plus : E4.
    assert [anciennete[k][-1] for k in ("Moins de 6 mois", "6 à 11,9 mois", "12 à 23,9 mois", "24 mois et plus")] == [
        2,
        1,
        2,
        1,
    ]

    delais = _lignes(selectors.delais(connu.photo, t, 2025)[0])
    # Délais (mois) : A1 14, A2 24, A3 12, A4 9, A5 11, A6 37, A7 5 → moyenne 16,0 ; médiane 12.
    assert delais["Ensemble"] == [7, Decimal("16.0"), Decimal("12.0")]


def test_chiffres_cles_et_mutations_d_une_commune(connu):
    t = Territoire(epci=connu.m.nantes.epci, commune=connu.m.nantes)
    cles = _lignes(selectors.chiffres_cles(connu.photo, t, 2025)[0])
    assert cles["Demandes en cours"][-1] == 4  # E1, E2, E4, E6 (1er choix Nantes)
    assert cles["Patrimoine de logements"][-1] == 2
    assert cles["Attributions 2025"][-1] == 4  # A1, A3, A5, A6 (logement à Nantes)
    mutations = _lignes(selectors.mutations(connu.photo, t, 2025)[0])
    assert mutations["Total"][:5] == [4, 3, Decimal("75.0"), 1, Decimal("25.0")]


def test_tous_les_tableaux_s_affichent_sur_chaque_niveau_de_territoire(client, agent_verifie, connu):
    agent_verifie(AgentFactory(observateur=True, organisme=OrganismeFactory()))
    for code in selectors.TABLEAUX:
        for params in (
            {},
            {"epci": "244400404"},
            {"epci": "244400404", "commune": "44109", "quartier": connu.qpv_nantes.pk},
        ):
            reponse = client.get(reverse("observatoire:tableau", args=[code]), params)
            assert reponse.status_code == 200, (code, params)
            assert "<caption>" in reponse.content.decode()
    assert client.get(reverse("observatoire:indicateurs")).status_code == 200


def test_un_territoire_incoherent_est_refuse_avec_un_message_et_garde_la_saisie(client, agent_verifie, connu):
    agent_verifie(AgentFactory(observateur=True, organisme=OrganismeFactory()))
    reponse = client.get(reverse("observatoire:tableau", args=["demandes"]), {"epci": "200072726", "commune": "44109"})
    html = reponse.content.decode()
    assert "Nantes n&#x27;est pas une commune de COMPA." in html
    assert '<option value="44109" selected>Nantes (44109)</option>' in html
    assert "<caption>" not in html


@pytest.mark.parametrize(
    ("roles", "type_organisme", "attendu"),
    [
        ([Role.OBSERVATEUR], "epci", 200),
        ([Role.AGENT_GUICHET], "commune", 200),
        ([Role.INSTRUCTEUR_BAILLEUR], "bailleur", 200),
        ([Role.RESERVATAIRE], "etat", 200),
        ([Role.OBSERVATEUR], "association", 200),  # association : statistiques sans nom seulement
        ([], "commune", 403),  # agent sans rôle
    ],
)
def test_acces_aux_statistiques_par_role(client, agent_verifie, roles, type_organisme, attendu):
    agent_verifie(AgentFactory(roles=roles, organisme=OrganismeFactory(type=type_organisme)))
    for nom in ("observatoire:accueil", "observatoire:compteurs", "observatoire:pivot", "observatoire:bilans"):
        assert client.get(reverse(nom)).status_code == attendu, nom


def test_le_demandeur_et_l_anonyme_n_ont_pas_acces(client):
    url = reverse("observatoire:accueil")
    assert client.get(url).url.startswith(reverse("comptes:connexion"))
    client.force_login(DemandeurFactory())
    assert client.get(url).status_code == 403
    assert client.get(reverse("observatoire:tableau", args=["demandes"])).status_code == 403


@pytest.mark.parametrize(
    ("histogramme", "attendu"),
    [({}, None), ({5: 1}, 5), ({1: 1, 3: 1}, 2), ({12: 2, 5: 1, 37: 1, 9: 1, 11: 1, 24: 1}, 12), ({2: 3, 10: 1}, 2)],
)
def test_la_mediane_d_un_histogramme_est_celle_de_percentile_cont(histogramme, attendu):
    assert selectors.mediane(histogramme) == attendu
