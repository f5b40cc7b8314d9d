"""Écrans du parc pour un bailleur : liste filtrée, fiche, création et
modification, déclaration et suivi d'une vacance, statistiques."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from offre.models import Disponibilite, Logement
from tests.monde.factories import (
    AgentFactory,
    CommuneFactory,
    DisponibiliteFactory,
    LogementFactory,
    OrganismeFactory,
    ProgrammeFactory,
    QuartierFactory,
    agent_bailleur,
)


@pytest.fixture
def parc():
    """Un bailleur habilité sur Nantes et Rezé, et un peu de parc."""
    nantes, reze = CommuneFactory(nom="Nantes", code_insee="44109"), CommuneFactory(nom="Rezé", code_insee="44143")
    malakoff = QuartierFactory(commune=nantes, nom="Malakoff", qpv=True)
    agent = agent_bailleur(perimetre=[nantes, reze])
    ddets = OrganismeFactory(nom="DDETS de Loire-Atlantique", type="etat")
    kallima = ProgrammeFactory(
        bailleur=agent.organisme, commune=nantes, code="0629", nom="KALLIMA 2", quartier=malakoff
    )
    polaris = ProgrammeFactory(commune=reze, code="0306", nom="POLARIS")
    return {
        "agent": agent,
        "nantes": nantes,
        "reze": reze,
        "malakoff": malakoff,
        "ddets": ddets,
        "kallima": kallima,
        "t3_qpv": LogementFactory(programme=kallima, code="0013", typologie="T3", reservataire=ddets),
        "t2_qpv": LogementFactory(programme=kallima, code="0014", typologie="T2", financement="PLAI"),
        "t4_reze": LogementFactory(programme=polaris, code="0001", typologie="T4", financement="PLS"),
    }


def _codes(reponse):
    return {lg.code for lg in reponse.context["page"].object_list}


def test_la_liste_et_ses_filtres(client, agent_verifie, parc):
    agent_verifie(parc["agent"])
    DisponibiliteFactory(logement=parc["t2_qpv"], etat="en_cours")
    url = reverse("offre:logements")

    assert _codes(client.get(url)) == {"0013", "0014", "0001"}
    assert _codes(client.get(url, {"commune": "Rezé"})) == {"0001"}
    assert _codes(client.get(url, {"commune": "44109"})) == {"0013", "0014"}
    assert _codes(client.get(url, {"quartier": parc["malakoff"].pk})) == {"0013", "0014"}
    assert _codes(client.get(url, {"qpv": "non"})) == {"0001"}
    assert _codes(client.get(url, {"typologie": "T3"})) == {"0013"}
    assert _codes(client.get(url, {"financement": "PLAI"})) == {"0014"}
    assert _codes(client.get(url, {"reservataire": parc["ddets"].pk})) == {"0013"}
    assert _codes(client.get(url, {"reservataire": "aucun"})) == {"0014", "0001"}
    assert _codes(client.get(url, {"vacance": "ouverte"})) == {"0014"}
    assert _codes(client.get(url, {"vacance": "a_pourvoir"})) == set()
    assert _codes(client.get(url, {"vacance": "sans"})) == {"0013", "0001"}
    assert _codes(client.get(url, {"bailleur": parc["agent"].organisme_id})) == {"0013", "0014"}
    assert _codes(client.get(url, {"programme": "kalli"})) == {"0013", "0014"}

    html = client.get(url, {"typologie": "T2"}).content.decode()
    assert "KALLIMA 2" in html
    assert "(0629 - 0014)" in html
    assert "En cours d&#x27;attribution" in html


def test_une_commune_inconnue_est_expliquee_sans_resultat(client, agent_verifie, parc):
    agent_verifie(parc["agent"])
    reponse = client.get(reverse("offre:logements"), {"commune": "Atlantis"})
    assertContains(reponse, "Aucune commune ne porte ce nom")
    assert _codes(reponse) == set()


def test_la_liste_tient_en_peu_de_requetes(client, agent_verifie, parc):
    agent_verifie(parc["agent"])
    for rang in range(60):
        logement = LogementFactory(programme=parc["kallima"], code=f"1{rang:03d}")
        if rang % 3 == 0:
            DisponibiliteFactory(logement=logement)
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(reverse("offre:logements"), {"commune": "Nantes", "typologie": "T3"})
    assert reponse.status_code == 200
    assert len(reponse.context["page"].object_list) == 50
    assert len(requetes) <= 20, [q["sql"] for q in requetes]


def test_creer_un_logement_et_garder_la_saisie_en_cas_d_erreur(client, agent_verifie, parc):
    agent_verifie(parc["agent"])
    url = reverse("offre:creer_logement")
    donnees = {
        "programme": parc["kallima"].pk,
        "code": "0020",
        "typologie": "T3",
        "categorie": "appartement",
        "nature": "simple",
        "surface": "68,5",
        "etage": "3",
        "loyer": "41,20",
        "charges": "85",
        "financement": "PLUS",
        "labels": ["ASV"],
    }
    reponse = client.post(url, donnees)

    assert reponse.status_code == 200
    assertContains(reponse, "Loyer impossible")
    assertContains(reponse, 'value="41,20"')
    assertContains(reponse, 'value="68,5"')
    assert not Logement.objects.filter(code="0020").exists()

    reponse = client.post(url, {**donnees, "loyer": "412,30"})
    logement = Logement.objects.get(code="0020")
    assert reponse.url == reverse("offre:logement", args=[logement.pk])
    assert (logement.loyer, logement.labels, logement.qpv) == (Decimal("412.30"), ["ASV"], True)


def test_on_ne_cree_pas_de_logement_dans_le_programme_d_un_autre(client, agent_verifie, parc):
    agent_verifie(parc["agent"])
    reponse = client.post(
        reverse("offre:creer_logement"),
        {
            "programme": parc["t4_reze"].programme_id,
            "code": "9",
            "typologie": "T2",
            "categorie": "appartement",
            "nature": "simple",
            "surface": "50",
            "etage": "1",
            "loyer": "300",
            "charges": "0",
            "financement": "PLUS",
        },
    )
    assertContains(reponse, "Sélectionnez un choix valide")
    assert not Logement.objects.filter(code="9").exists()


def test_modifier_un_logement(client, agent_verifie, parc):
    agent_verifie(parc["agent"])
    logement = parc["t3_qpv"]
    page = client.get(reverse("offre:modifier_logement", args=[logement.pk]))
    assertContains(page, 'value="412,30"')
    donnees = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    donnees.update({"loyer": "430,00", "charges": "90", "surface": "66", "reservataire": "", "labels": []})
    reponse = client.post(reverse("offre:modifier_logement", args=[logement.pk]), donnees)
    assert reponse.status_code == 302
    logement.refresh_from_db()
    assert (logement.loyer, logement.reservataire) == (Decimal("430"), None)


def test_declarer_puis_attribuer_une_vacance(client, agent_verifie, parc):
    agent = agent_verifie(parc["agent"])
    logement = parc["t3_qpv"]
    fiche = client.get(reverse("offre:logement", args=[logement.pk]))
    assertContains(fiche, "Déclarer une vacance")

    erreur = client.post(reverse("offre:declarer_disponibilite", args=[logement.pk]), {"motif": "relocation"})
    assertContains(erreur, "Ce champ est obligatoire")

    client.post(
        reverse("offre:declarer_disponibilite", args=[logement.pk]),
        {"date_disponibilite": "2026-12-01", "motif": "relocation", "reservataire": parc["ddets"].pk},
    )
    disponibilite = Disponibilite.objects.get()
    assert (disponibilite.etat, disponibilite.reservataire, disponibilite.cree_par) == (
        "a_pourvoir",
        parc["ddets"],
        agent,
    )

    url = reverse("offre:changer_etat_disponibilite", args=[disponibilite.pk])
    sans_motif = client.post(url, {"etat": "retiree"})
    assert sans_motif.status_code == 400
    assertContains(sans_motif, "Indiquez le motif", status_code=400)
    client.post(url, {"etat": "en_cours"})
    fiche = client.post(url, {"etat": "attribuee"}, follow=True)
    assertContains(fiche, "La vacance est maintenant « attribuée ».")
    assertContains(fiche, "En cours d&#x27;attribution → Attribuée")
    assert list(disponibilite.evenements.values_list("etat_apres", flat=True)) == [
        "a_pourvoir",
        "en_cours",
        "attribuee",
    ]


def test_la_liste_des_vacances(client, agent_verifie, parc):
    agent_verifie(parc["agent"])
    DisponibiliteFactory(logement=parc["t3_qpv"])
    DisponibiliteFactory(logement=parc["t4_reze"], etat="en_cours")
    url = reverse("offre:disponibilites")
    assert [d.logement.code for d in client.get(url).context["page"].object_list] == ["0013"]
    assert [d.logement.code for d in client.get(url, {"etat": "en_cours"}).context["page"].object_list] == ["0001"]
    assert len(client.get(url, {"etat": ""}).context["page"].object_list) == 2


def test_creer_puis_modifier_un_programme(client, agent_verifie, parc):
    agent_verifie(parc["agent"])
    reponse = client.post(
        reverse("offre:creer_programme"),
        {
            "code": "0401",
            "nom": "EN APARTE",
            "adresse": "48 boulevard Dalby",
            "commune": "Nantes",
            "annee_construction": "2012",
        },
    )
    programme = parc["agent"].organisme.programmes.get(code="0401")
    assert reponse.url == reverse("offre:programme", args=[programme.pk])
    doublon = client.post(reverse("offre:creer_programme"), {"code": "0401", "nom": "Autre", "commune": "44109"})
    assertContains(doublon, "déjà un programme de code 0401")
    LogementFactory(programme=programme)
    client.post(
        reverse("offre:modifier_programme", args=[programme.pk]),
        {"nom": "EN APARTE", "commune": "Nantes", "quartier": parc["malakoff"].pk},
    )
    assert Logement.objects.get(programme=programme).qpv is True


def test_les_statistiques_du_parc(client, agent_verifie, parc):
    agent_verifie(parc["agent"])
    LogementFactory(programme=parc["kallima"], code="0100", typologie="T3", categorie="maison", etage=0)
    reponse = client.get(reverse("offre:statistiques"), {"epci": parc["nantes"].epci_id})
    stock = reponse.context["stock"]
    appartements, maisons = stock.par_categorie()
    assert appartements.valeurs == [0, 0, 1, 1, 0, 0, 0]
    assert appartements.total == 2
    assert maisons.valeurs == [0, 0, 0, 1, 0, 0, 0]
    assertContains(reponse, "Patrimoine de logements")
    assertContains(reponse, '<th scope="col" class="nombre">T3 - 3 pièces</th>', html=True)


def test_un_observateur_voit_les_statistiques_mais_pas_la_liste(client, agent_verifie, parc):
    agent_verifie(AgentFactory(observateur=True))
    assert client.get(reverse("offre:logements")).status_code == 403
    reponse = client.get(reverse("offre:statistiques"))
    assert reponse.status_code == 200
    assertNotContains(reponse, "Parc de logements</a>")
