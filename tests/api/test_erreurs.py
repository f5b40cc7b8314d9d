"""Erreurs de l'API : toujours du JSON en français, détail par champ, jamais de 500 ni d'écriture partielle."""

import pytest
from rest_framework import throttling

from fdls.organismes.models import Guichet
from tests.monde.factories import CommuneFactory, GuichetFactory, OrganismeFactory


@pytest.fixture
def administrateur(jeton):
    """En-têtes d'un administrateur du gestionnaire avec un jeton d'écriture."""
    _, entetes, _ = jeton(administrateur=True, ecriture=True)
    return entetes


def test_400_detail_par_champ_et_rien_d_ecrit(client, administrateur):
    avant = Guichet.objects.count()
    reponse = client.post(
        "/api/v1/guichets/",
        {
            "code": "12",
            "nom": "",
            "type": "inconnu",
            "organisme": 999999,
            "commune": "00000",
            "email": "pas-une-adresse",
            "couleur": "bleu",
        },
        content_type="application/json",
        headers=administrateur,
    )
    assert reponse.status_code == 400
    corps = reponse.json()
    assert corps["code"] == "invalide"
    assert corps["detail"] == "La requête contient des erreurs : corrigez les champs indiqués."
    erreurs = corps["erreurs"]
    assert set(erreurs) >= {"code", "nom", "type", "organisme", "commune", "email"}
    assert erreurs["code"] == ["Le code guichet compte exactement 5 chiffres."]
    assert erreurs["email"] == ["Saisissez une adresse e-mail valide."]
    assert "n'est pas un choix valide" in erreurs["type"][0]
    assert Guichet.objects.count() == avant


def test_400_champ_inconnu_signale(client, administrateur):
    organisme = OrganismeFactory()
    reponse = client.patch(
        f"/api/v1/organismes/{organisme.pk}/",
        {"telephone": "0240000000", "type": "etat"},
        content_type="application/json",
        headers=administrateur,
    )
    assert reponse.status_code == 400
    assert reponse.json()["erreurs"] == {"type": ["Champ inconnu ou non modifiable."]}
    organisme.refresh_from_db()
    assert organisme.telephone == ""
    assert organisme.type == "bailleur"


def test_400_corps_json_illisible(client, administrateur):
    reponse = client.post("/api/v1/guichets/", "{pas du json", content_type="application/json", headers=administrateur)
    assert reponse.status_code == 400
    corps = reponse.json()
    assert corps["code"] == "requete_illisible"
    assert "JSON" in corps["detail"]


def test_400_corps_qui_n_est_pas_un_objet(client, administrateur):
    reponse = client.post("/api/v1/guichets/", [1, 2], content_type="application/json", headers=administrateur)
    assert reponse.status_code == 400
    assert "dictionnaire" in reponse.json()["erreurs"]["non_field_errors"][0]


def test_400_filtre_invalide(client, jeton):
    _, entetes, _ = jeton()
    reponse = client.get("/api/v1/guichets/", {"organisme": "abc"}, headers=entetes)
    assert reponse.status_code == 400
    assert reponse.json()["erreurs"] == {"organisme": ["Saisissez un nombre."]}


def test_400_caractere_nul_dans_un_filtre(client, jeton):
    _, entetes, _ = jeton()
    reponse = client.get("/api/v1/communes/", {"nom": "Nan\x00tes"}, headers=entetes)
    assert reponse.status_code == 400
    assert "nom" in reponse.json()["erreurs"]


def test_404_objet_inexistant_en_json(client, jeton):
    _, entetes, _ = jeton()
    reponse = client.get("/api/v1/organismes/999999/", headers=entetes)
    assert reponse.status_code == 404
    assert reponse.json() == {"detail": "Ressource introuvable.", "code": "introuvable"}


def test_404_identifiant_mal_forme_en_json(client, jeton):
    _, entetes, _ = jeton()
    reponse = client.get("/api/v1/guichets/abc/", headers=entetes)
    assert reponse.status_code == 404
    assert reponse.json()["code"] == "introuvable"


def test_404_adresse_inconnue_sous_api_en_json(client, jeton):
    _, entetes, _ = jeton()
    reponse = client.get("/api/v1/nimporte-quoi/", headers=entetes)
    assert reponse.status_code == 404
    assert reponse["Content-Type"].startswith("application/json")
    assert reponse.json()["detail"] == "Ressource introuvable."


def test_404_page_hors_limites(client, jeton):
    _, entetes, _ = jeton()
    reponse = client.get("/api/v1/organismes/", {"page": 99}, headers=entetes)
    assert reponse.status_code == 404
    assert reponse.json()["code"] == "introuvable"


def test_405_methode_non_autorisee_en_json(client, administrateur):
    organisme = OrganismeFactory()
    reponse = client.put(
        f"/api/v1/organismes/{organisme.pk}/", {"nom": "X"}, content_type="application/json", headers=administrateur
    )
    assert reponse.status_code == 405
    assert reponse.json()["code"] == "methode_non_autorisee"
    assert reponse.json()["detail"].replace("\xa0", " ") == "Méthode « PUT » non autorisée."
    reponse = client.delete(f"/api/v1/organismes/{organisme.pk}/", headers=administrateur)
    assert reponse.status_code == 405


def test_400_code_guichet_deja_attribue(client, administrateur):
    existant = GuichetFactory()
    reponse = client.post(
        "/api/v1/guichets/",
        {
            "code": existant.code,
            "nom": "Doublon",
            "type": "relai",
            "organisme": OrganismeFactory().pk,
            "commune": CommuneFactory().pk,
        },
        content_type="application/json",
        headers=administrateur,
    )
    assert reponse.status_code == 400
    assert list(reponse.json()["erreurs"]) == ["code"]


@pytest.fixture
def debits_reduits(monkeypatch):
    """Débits très bas pour la durée du test (les classes DRF lisent leurs débits à l'import)."""
    monkeypatch.setattr(throttling.SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/hour", "user": "3/hour"})


def test_429_agent_au_dela_du_debit(client, jeton, debits_reduits):
    _, entetes, _ = jeton()
    for _ in range(3):
        assert client.get("/api/v1/moi/", headers=entetes).status_code == 200
    reponse = client.get("/api/v1/moi/", headers=entetes)
    assert reponse.status_code == 429
    assert reponse.json()["code"] == "trop_de_requetes"
    assert reponse.json()["detail"].startswith("Trop de requêtes : réessayez dans ")
    assert 3000 < int(reponse["Retry-After"]) <= 3600


def test_429_debit_compte_par_agent_pas_par_jeton(client, jeton, debits_reduits):
    agent, entetes, _ = jeton()
    _, autres_entetes, _ = jeton(agent=agent)
    for entete in (entetes, autres_entetes, entetes):
        assert client.get("/api/v1/moi/", headers=entete).status_code == 200
    assert client.get("/api/v1/moi/", headers=autres_entetes).status_code == 429
    # Un autre agent garde son propre débit.
    _, entetes_tiers, _ = jeton()
    assert client.get("/api/v1/moi/", headers=entetes_tiers).status_code == 200


def test_429_anonyme_au_dela_du_debit(client, debits_reduits):
    for _ in range(2):
        assert client.get("/api/v1/").status_code == 200
    reponse = client.get("/api/v1/")
    assert reponse.status_code == 429
    assert reponse["Retry-After"]
    assert reponse.json()["code"] == "trop_de_requetes"
