"""API du parc : écriture par le bailleur propriétaire, mêmes règles que les
écrans, erreurs 400 en français par champ, schéma OpenAPI."""

import pytest

from offre.models import Disponibilite, Logement
from tests.monde.factories import (
    CommuneFactory,
    DisponibiliteFactory,
    LogementFactory,
    OrganismeFactory,
    ProgrammeFactory,
    agent_bailleur,
)


@pytest.fixture
def bailleur(jeton):
    commune = CommuneFactory(nom="Nantes")
    agent, entetes, _ = jeton(agent_bailleur(perimetre=[commune]), ecriture=True)
    return {"agent": agent, "entetes": entetes, "commune": commune}


def _post(client, url, donnees, entetes):
    return client.post(url, donnees, content_type="application/json", headers=entetes)


def test_creer_un_programme_puis_un_logement(client, bailleur):
    programme = _post(
        client,
        "/api/v1/programmes/",
        {"code": "0629", "nom": "KALLIMA 2", "commune": bailleur["commune"].pk, "annee_construction": 1998},
        bailleur["entetes"],
    )
    assert programme.status_code == 201, programme.json()
    assert programme.json()["bailleur"] == bailleur["agent"].organisme_id

    logement = _post(
        client,
        "/api/v1/logements/",
        {
            "programme": programme.json()["id"],
            "code": "0013",
            "typologie": "T3",
            "categorie": "appartement",
            "surface": "68.5",
            "loyer": "412.30",
            "financement": "PLUS",
            "labels": ["ASV"],
        },
        bailleur["entetes"],
    )
    assert logement.status_code == 201, logement.json()
    assert logement.json()["reference"] == "KALLIMA 2 (0629 - 0013)"
    assert logement.json()["commune"] == bailleur["commune"].pk


@pytest.mark.parametrize(
    ("donnees", "champ", "message"),
    [
        ({"loyer": "41.20"}, "loyer", "Loyer impossible"),
        ({"loyer": "-5"}, "loyer", "supérieure ou égale à"),
        ({"typologie": "T9"}, "typologie", "n'est pas un choix valide"),
        ({"surface": None}, "surface", "Ce champ ne peut être nul."),
        ({"labels": ["XYZ"]}, "labels", "n'est pas un choix valide"),
        ({"inconnu": 1}, "inconnu", "Champ inconnu ou non modifiable."),
        ({"categorie": "maison", "etage": 3}, "etage", "Une maison"),
    ],
)
def test_erreurs_400_en_francais_par_champ(client, bailleur, donnees, champ, message):
    programme = ProgrammeFactory(bailleur=bailleur["agent"].organisme)
    base = {
        "programme": programme.pk,
        "code": "0013",
        "typologie": "T3",
        "categorie": "appartement",
        "surface": "68.5",
        "loyer": "412.30",
        "financement": "PLUS",
    }
    reponse = _post(client, "/api/v1/logements/", {**base, **donnees}, bailleur["entetes"])
    assert reponse.status_code == 400
    corps = reponse.json()
    assert corps["code"] == "invalide"
    assert message in str(corps["erreurs"][champ]), corps
    assert not Logement.objects.exists()


def test_un_code_en_double_et_le_programme_d_un_autre(client, bailleur):
    programme = ProgrammeFactory(bailleur=bailleur["agent"].organisme)
    LogementFactory(programme=programme, code="0013")
    base = {
        "code": "0013",
        "typologie": "T3",
        "categorie": "appartement",
        "surface": "68",
        "loyer": "400",
        "financement": "PLUS",
    }
    doublon = _post(client, "/api/v1/logements/", {**base, "programme": programme.pk}, bailleur["entetes"])
    assert doublon.status_code == 400
    assert "déjà un logement de code 0013" in doublon.json()["erreurs"]["code"][0]
    autre = _post(client, "/api/v1/logements/", {**base, "programme": ProgrammeFactory().pk}, bailleur["entetes"])
    assert autre.status_code == 400
    assert "n'existe pas" in autre.json()["erreurs"]["programme"][0]


def test_declarer_une_vacance_et_changer_son_etat(client, bailleur):
    logement = LogementFactory(programme=ProgrammeFactory(bailleur=bailleur["agent"].organisme))
    ddets = OrganismeFactory(type="etat")
    reponse = _post(
        client,
        "/api/v1/disponibilites/",
        {"logement": logement.pk, "date_disponibilite": "2026-12-01", "motif": "relocation", "reservataire": ddets.pk},
        bailleur["entetes"],
    )
    assert reponse.status_code == 201, reponse.json()
    url = f"/api/v1/disponibilites/{reponse.json()['id']}/etat/"

    interdit = _post(client, url, {"etat": "attribuee"}, bailleur["entetes"])
    assert interdit.status_code == 400
    assert "ne peut passer qu'à" in interdit.json()["erreurs"]["etat"][0]
    assert _post(client, url, {"etat": "retiree"}, bailleur["entetes"]).json()["erreurs"]["motif"]

    ok = _post(client, url, {"etat": "en_cours"}, bailleur["entetes"])
    assert ok.status_code == 200
    assert [e["etat_apres"] for e in ok.json()["evenements"]] == ["a_pourvoir", "en_cours"]
    assert Disponibilite.objects.get().etat == "en_cours"


def test_les_listes_sont_filtrees_et_paginees(client, bailleur):
    programme = ProgrammeFactory(bailleur=bailleur["agent"].organisme, commune=bailleur["commune"])
    LogementFactory.create_batch(3, programme=programme, typologie="T2")
    t4 = LogementFactory(programme=programme, typologie="T4")
    DisponibiliteFactory(logement=t4)
    corps = client.get("/api/v1/logements/", {"typologie": "T4"}, headers=bailleur["entetes"]).json()
    assert (corps["count"], corps["count_plafonne"], corps["results"][0]["id"]) == (1, False, t4.pk)
    vacances = client.get("/api/v1/disponibilites/", headers=bailleur["entetes"]).json()
    assert [d["logement"] for d in vacances["results"]] == [t4.pk]


def test_le_schema_decrit_l_api_du_parc(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/logements/"])
    assert set(schema["paths"]["/api/v1/logements/{id}/"]) == {"get", "patch"}
    assert "/api/v1/disponibilites/{id}/etat/" in schema["paths"]
    assert "/api/v1/imports-logements/" in schema["paths"]
    assert "EtatDisponibiliteEnum" in schema["components"]["schemas"]
    racine = client.get("/api/v1/").json()
    assert {"programmes", "logements", "disponibilites"} <= set(racine)
