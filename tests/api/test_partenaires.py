"""Écritures sur les partenaires par l'API : administrateurs du gestionnaire, jeton d'écriture, services."""

import pytest

from fdls.organismes.models import Guichet, Organisme
from tests.monde.factories import CommuneFactory, GuichetFactory, OrganismeFactory


@pytest.fixture
def administrateur(jeton):
    _, entetes, _ = jeton(administrateur=True, ecriture=True)
    return entetes


def test_modifier_un_organisme(client, administrateur):
    commune = CommuneFactory()
    organisme = OrganismeFactory(nom="Habitat 44", perimetre=[commune])
    reponse = client.patch(
        f"/api/v1/organismes/{organisme.pk}/",
        {"sigle": "H44", "telephone": "02 40 00 00 00", "siren": "123456789"},
        content_type="application/json",
        headers=administrateur,
    )
    assert reponse.status_code == 200, reponse.content
    assert reponse.json()["sigle"] == "H44"
    organisme.refresh_from_db()
    assert (organisme.sigle, organisme.telephone, organisme.siren) == ("H44", "02 40 00 00 00", "123456789")
    # Le territoire d'habilitation (droits d'accès) n'est pas touché par une modification partielle.
    assert list(organisme.perimetre.all()) == [commune]


def test_siren_invalide_refuse_sans_rien_ecrire(client, administrateur):
    organisme = OrganismeFactory()
    reponse = client.patch(
        f"/api/v1/organismes/{organisme.pk}/",
        {"sigle": "X", "siren": "12345"},
        content_type="application/json",
        headers=administrateur,
    )
    assert reponse.status_code == 400
    assert reponse.json()["erreurs"] == {"siren": ["Le SIREN compte 9 chiffres."]}
    organisme.refresh_from_db()
    assert organisme.sigle == ""


def test_nom_d_organisme_deja_pris(client, administrateur):
    OrganismeFactory(nom="Habitat 44")
    organisme = OrganismeFactory()
    reponse = client.patch(
        f"/api/v1/organismes/{organisme.pk}/",
        {"nom": "Habitat 44"},
        content_type="application/json",
        headers=administrateur,
    )
    assert reponse.status_code == 400
    assert list(reponse.json()["erreurs"]) == ["nom"]


def test_creer_un_guichet(client, administrateur):
    organisme = OrganismeFactory(type="commune", nom="Ville de Bouaye")
    commune = CommuneFactory(code_insee="44018", nom="Bouaye", codes_postaux=["44830"])
    reponse = client.post(
        "/api/v1/guichets/",
        {
            "code": "44830",
            "nom": "Bouaye – CCAS",
            "type": "accompagnateur",
            "organisme": organisme.pk,
            "commune": "44018",
            "code_postal": "44830",
            "email": "ccas@bouaye.fr",
            "horaires": "Lundi au vendredi, 9 h – 12 h",
        },
        content_type="application/json",
        headers=administrateur,
    )
    assert reponse.status_code == 201, reponse.content
    guichet = Guichet.objects.get(code="44830")
    assert (guichet.organisme, guichet.commune, guichet.type) == (organisme, commune, "accompagnateur")
    assert reponse.json()["id"] == guichet.pk
    assert reponse["Location"] == f"http://testserver/api/v1/guichets/{guichet.pk}/"


def test_code_postal_mal_forme(client, administrateur):
    reponse = client.post(
        "/api/v1/guichets/",
        {
            "code": "44831",
            "nom": "Guichet",
            "type": "relai",
            "organisme": OrganismeFactory().pk,
            "commune": CommuneFactory().pk,
            "code_postal": "4483",
        },
        content_type="application/json",
        headers=administrateur,
    )
    assert reponse.status_code == 400
    assert reponse.json()["erreurs"] == {"code_postal": ["Le code postal compte 5 chiffres."]}
    assert not Guichet.objects.filter(code="44831").exists()


def test_modifier_un_guichet_mais_jamais_son_code(client, administrateur):
    guichet = GuichetFactory(code="30001", nom="Guichet d'origine")
    reponse = client.patch(
        f"/api/v1/guichets/{guichet.pk}/", {"actif": False}, content_type="application/json", headers=administrateur
    )
    assert reponse.status_code == 200
    guichet.refresh_from_db()
    assert guichet.actif is False

    reponse = client.patch(
        f"/api/v1/guichets/{guichet.pk}/",
        {"code": "30002", "nom": "Nouveau nom"},
        content_type="application/json",
        headers=administrateur,
    )
    assert reponse.status_code == 400
    assert reponse.json()["erreurs"] == {"code": ["Champ inconnu ou non modifiable."]}
    guichet.refresh_from_db()
    assert (guichet.code, guichet.nom) == ("30001", "Guichet d'origine")


def test_un_agent_non_administrateur_ne_modifie_rien(client, jeton):
    organisme = OrganismeFactory()
    agent, entetes, _ = jeton(organisme=organisme, ecriture=True, roles=["agent_guichet", "reservataire"])
    reponse = client.patch(
        f"/api/v1/organismes/{organisme.pk}/", {"sigle": "X"}, content_type="application/json", headers=entetes
    )
    assert reponse.status_code == 403
    assert Organisme.objects.get(pk=organisme.pk).sigle == ""


def test_administrateur_d_un_organisme_non_gestionnaire_refuse(client, jeton):
    _, entetes, _ = jeton(roles=["administrateur"], ecriture=True)  # organisme bailleur
    organisme = OrganismeFactory()
    reponse = client.patch(
        f"/api/v1/organismes/{organisme.pk}/", {"sigle": "X"}, content_type="application/json", headers=entetes
    )
    assert reponse.status_code == 403


def test_session_verifiee_d_un_administrateur_peut_ecrire(client, agent_verifie):
    """L'API navigable (session + second facteur) sert aussi aux administrateurs."""
    agent_verifie(administrateur=True)
    organisme = OrganismeFactory()
    reponse = client.patch(f"/api/v1/organismes/{organisme.pk}/", {"sigle": "S"}, content_type="application/json")
    assert reponse.status_code == 200
    assert Organisme.objects.get(pk=organisme.pk).sigle == "S"
