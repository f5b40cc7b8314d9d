"""API de l'instruction d'une vacance : positionnements, retrait, contacts, propositions et réponses ; erreurs
400 en français par champ, 403 pour qui n'instruit pas, 404 hors territoire, 409 pour une transition interdite."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from demandes.models import Evenement
from fdls.audit.models import Consultation
from instruction.propositions.models import Positionnement, Proposition

API = "/api/v1"


@pytest.fixture
def bailleur(jeton, monde):
    _, entetes, _ = jeton(monde.agent_bailleur, ecriture=True)
    return entetes


def positionner(client, monde, entetes, demande=None, **donnees):
    demande = demande or monde.demande()
    return client.post(
        f"{API}/disponibilites/{monde.disponibilite.pk}/positionnements/",
        {"demande": demande.numero_unique_affiche, **donnees},
        headers=entetes,
        content_type="application/json",
    )


def test_positionner_lister_contacter_proposer_et_accepter(client, monde, bailleur):
    reponse = positionner(client, monde, bailleur)
    assert reponse.status_code == 201, reponse.json()
    corps = reponse.json()
    assert (corps["rang"], corps["etat"], corps["designation"]) == (1, "positionne", "bailleur")
    pk = corps["id"]

    liste = client.get(f"{API}/disponibilites/{monde.disponibilite.pk}/positionnements/", headers=bailleur)
    assert [p["id"] for p in liste.json()] == [pk]
    assert Consultation.objects.filter(action="api", objet_id=str(corps["demande"])).exists()

    contact = client.post(
        f"{API}/positionnements/{pk}/contacts/",
        {"date": str(timezone.localdate(monde.disponibilite.created_at)), "mode": "courriel", "resultat": "interesse"},
        headers=bailleur,
        content_type="application/json",
    )
    assert contact.status_code == 201, contact.json()
    assert [c["mode"] for c in client.get(f"{API}/positionnements/{pk}/contacts/", headers=bailleur).json()] == [
        "courriel"
    ]

    proposition = client.post(f"{API}/positionnements/{pk}/propositions/", {}, headers=bailleur)
    assert proposition.status_code == 201
    numero = proposition.json()["id"]
    reponse = client.post(
        f"{API}/propositions/{numero}/reponse/",
        {"reponse": "accepter"},
        headers=bailleur,
        content_type="application/json",
    )
    assert reponse.status_code == 200
    assert reponse.json()["etat"] == "acceptee"
    assert Positionnement.objects.get(pk=pk).etat == "retenu"


def test_un_refus_sans_motif_est_une_erreur_400_sur_le_motif(client, monde, bailleur):
    pk = positionner(client, monde, bailleur).json()["id"]
    numero = client.post(f"{API}/positionnements/{pk}/propositions/", {}, headers=bailleur).json()["id"]
    reponse = client.post(
        f"{API}/propositions/{numero}/reponse/",
        {"reponse": "refuser"},
        headers=bailleur,
        content_type="application/json",
    )
    assert reponse.status_code == 400
    assert reponse.json()["erreurs"]["motif"] == ["Indiquez le motif."]
    reponse = client.post(
        f"{API}/propositions/{numero}/reponse/",
        {"reponse": "refuser", "motif": "loyer"},
        headers=bailleur,
        content_type="application/json",
    )
    assert reponse.status_code == 200
    assert Evenement.objects.get(type="refus_proposition").precisions == "Loyer / Charges trop élevés"


def test_une_seconde_reponse_est_un_conflit_409(client, monde, bailleur):
    pk = positionner(client, monde, bailleur).json()["id"]
    numero = client.post(f"{API}/positionnements/{pk}/propositions/", {}, headers=bailleur).json()["id"]
    url = f"{API}/propositions/{numero}/reponse/"
    assert (
        client.post(url, {"reponse": "accepter"}, headers=bailleur, content_type="application/json").status_code == 200
    )
    reponse = client.post(url, {"reponse": "accepter"}, headers=bailleur, content_type="application/json")
    assert reponse.status_code == 409
    assert reponse.json()["code"] == "transition_interdite"
    assert Proposition.objects.get().etat == "acceptee"


def test_un_doublon_et_un_numero_inconnu_sont_des_400_sur_la_demande(client, monde, bailleur):
    demande = monde.demande()
    assert positionner(client, monde, bailleur, demande).status_code == 201
    doublon = positionner(client, monde, bailleur, demande)
    assert doublon.status_code == 400
    assert doublon.json()["erreurs"]["demande"] == ["Cette demande est déjà positionnée sur ce logement."]
    inconnu = client.post(
        f"{API}/disponibilites/{monde.disponibilite.pk}/positionnements/",
        {"demande": "044 0101 999999 10001"},
        headers=bailleur,
        content_type="application/json",
    )
    assert inconnu.status_code == 400
    assert inconnu.json()["erreurs"]["demande"] == ["Aucune demande de votre territoire ne porte ce numéro."]


def test_retrait_sans_motif_puis_avec(client, monde, bailleur):
    pk = positionner(client, monde, bailleur).json()["id"]
    url = f"{API}/positionnements/{pk}/retrait/"
    assert client.post(url, {"motif": ""}, headers=bailleur, content_type="application/json").status_code == 400
    reponse = client.post(url, {"motif": "Ressources trop élevées"}, headers=bailleur, content_type="application/json")
    assert reponse.status_code == 200
    assert reponse.json()["etat"] == "retire"


def test_un_autre_bailleur_recoit_403_et_un_jeton_en_lecture_ne_positionne_pas(client, monde, jeton):
    _, autre, _ = jeton(monde.agent_autre_bailleur, ecriture=True)
    assert positionner(client, monde, autre).status_code == 403
    _, lecture, _ = jeton(monde.agent_bailleur)
    assert positionner(client, monde, lecture).status_code == 403
    assert not Positionnement.objects.exists()


def test_le_reservataire_positionne_par_l_api(client, monde, jeton):
    _, entetes, _ = jeton(monde.agent_ddets, ecriture=True)
    reponse = positionner(client, monde, entetes)
    assert reponse.status_code == 201
    assert reponse.json()["reservataire"] == monde.ddets.pk


def test_le_schema_openapi_decrit_les_routes_de_l_instruction(tmp_path):
    fichier = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(fichier))
    schema = fichier.read_text(encoding="utf-8")
    for chemin in (
        "/api/v1/disponibilites/{id}/positionnements/",
        "/api/v1/positionnements/{id}/contacts/",
        "/api/v1/propositions/{id}/reponse/",
    ):
        assert chemin in schema
