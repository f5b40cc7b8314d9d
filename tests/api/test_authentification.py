"""Qui peut appeler l'API : jetons (portée, révocation, expiration), sessions, demandeurs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fdls.comptes import services
from fdls.comptes.models import JetonApi
from tests.monde.factories import AgentFactory, CommuneFactory, DemandeurFactory, OrganismeFactory

MOI = "/api/v1/moi/"
GUICHETS = "/api/v1/guichets/"


def _nouveau_guichet(code="31001"):
    organisme = OrganismeFactory()
    commune = CommuneFactory()
    return {"code": code, "nom": "Guichet", "type": "accompagnateur", "organisme": organisme.pk, "commune": commune.pk}


def _erreur_json(reponse, statut):
    assert reponse.status_code == statut
    assert reponse["Content-Type"].startswith("application/json")
    corps = reponse.json()
    assert set(corps) == {"detail", "code"}
    return corps


def test_sans_jeton_401_en_francais(client):
    corps = _erreur_json(client.get(MOI), 401)
    assert corps["code"] == "non_authentifie"
    assert "authentification" in corps["detail"].lower()
    assert client.get(MOI)["WWW-Authenticate"] == "Token"


def test_jeton_inconnu_401(client):
    corps = _erreur_json(client.get(MOI, headers={"Authorization": "Token pas-un-vrai-jeton"}), 401)
    assert corps == {"detail": "Jeton d'API invalide.", "code": "authentification_echouee"}


def test_en_tete_sans_cle_401_en_francais(client):
    corps = _erreur_json(client.get(MOI, headers={"Authorization": "Token"}), 401)
    assert corps["code"] == "authentification_echouee"
    assert "non valide" in corps["detail"]


def test_jeton_revoque_401(client, jeton):
    _, entetes, objet = jeton()
    assert client.get(MOI, headers=entetes).status_code == 200
    services.revoquer_jeton(jeton=objet)
    corps = _erreur_json(client.get(MOI, headers=entetes), 401)
    assert corps["detail"] == "Ce jeton d'API a été révoqué."


def test_jeton_expire_401(client, jeton):
    # Le service refuse une échéance passée : le jeton arrive à échéance après sa création.
    _, entetes, objet = jeton()
    JetonApi.objects.filter(pk=objet.pk).update(expire_le=timezone.now() - timedelta(minutes=1))
    corps = _erreur_json(client.get(MOI, headers=entetes), 401)
    assert corps["detail"].startswith("Ce jeton d'API a expiré le ")


def test_jeton_d_un_compte_desactive_401(client, jeton):
    agent, entetes, _ = jeton()
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    corps = _erreur_json(client.get(MOI, headers=entetes), 401)
    assert corps["detail"] == "Le compte rattaché à ce jeton est désactivé."


def test_jeton_lecture_get_200_et_dernier_usage_note(client, jeton):
    agent, entetes, objet = jeton()
    reponse = client.get(MOI, headers=entetes)
    assert reponse.status_code == 200
    assert reponse.json()["agent"]["email"] == agent.email
    objet.refresh_from_db()
    assert objet.dernier_usage is not None


def test_jeton_lecture_ne_peut_pas_ecrire_403(client, jeton):
    _, entetes, _ = jeton(administrateur=True)
    reponse = client.post(GUICHETS, _nouveau_guichet(), content_type="application/json", headers=entetes)
    corps = _erreur_json(reponse, 403)
    assert corps["code"] == "acces_refuse"
    assert "lecture seule" in corps["detail"]


def test_jeton_ecriture_d_un_administrateur_gestionnaire_201(client, jeton):
    _, entetes, _ = jeton(administrateur=True, ecriture=True)
    reponse = client.post(GUICHETS, _nouveau_guichet(), content_type="application/json", headers=entetes)
    assert reponse.status_code == 201, reponse.content


@pytest.mark.parametrize("traits", [{"guichet_role": True}, {"bailleur": True}, {"observateur": True}])
def test_jeton_ecriture_d_un_agent_non_administrateur_403(client, jeton, traits):
    _, entetes, _ = jeton(ecriture=True, **traits)
    reponse = client.post(GUICHETS, _nouveau_guichet(), content_type="application/json", headers=entetes)
    corps = _erreur_json(reponse, 403)
    assert "administrateurs" in corps["detail"]


def test_un_demandeur_n_a_jamais_de_jeton():
    with pytest.raises(ValueError, match="Seul un agent"):
        services.creer_jeton(agent=DemandeurFactory(), nom="Script")


def test_jeton_rattache_a_un_demandeur_refuse_401(client):
    # Jeton posé à la main en base (hors service) : l'authentification le refuse quand même.
    cle = JetonApi.generer_cle()
    JetonApi.objects.create(
        agent=DemandeurFactory(),
        nom="x",
        prefixe=cle[:8],
        empreinte=JetonApi.empreinte_de(cle),
        expire_le=timezone.now() + timedelta(days=1),
    )
    corps = _erreur_json(client.get(MOI, headers={"Authorization": f"Token {cle}"}), 401)
    assert "agents" in corps["detail"]


def test_session_d_un_demandeur_403(client):
    client.force_login(DemandeurFactory())
    corps = _erreur_json(client.get(MOI), 403)
    assert "demandeurs" in corps["detail"]


def test_session_d_un_agent_sans_second_facteur_403(client):
    client.force_login(AgentFactory(avec_totp=True))
    corps = _erreur_json(client.get(MOI), 403)
    assert "second facteur" in corps["detail"]


def test_session_d_un_agent_avec_second_facteur_200(client, agent_verifie):
    agent = agent_verifie()
    reponse = client.get(MOI)
    assert reponse.status_code == 200
    assert reponse.json()["agent"]["email"] == agent.email
    assert reponse.json()["jeton"] is None


def test_api_navigable_pour_une_session_verifiee(client, agent_verifie):
    agent_verifie()
    reponse = client.get(MOI, headers={"Accept": "text/html"})
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("text/html")
