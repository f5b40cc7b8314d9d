"""API des labels (liste, pose, retrait dans les droits de l'organisme) et des demandes en ligne
(dépôt à valider, file, validation, rejet) : codes HTTP et messages en français."""

import pytest

from demandes.dossier.choix import TypePiece
from demandes.models import Demande, Label
from demandes.pieces import services as pieces
from fdls.audit.models import Consultation
from fdls.socle.workflow import Auteur
from tests.monde.dossiers import enregistrer
from tests.monde.fichiers import piece_identite
from tests.monde.territoires import territoire_nantes


@pytest.fixture
def m():
    return territoire_nantes()


def entetes(jeton, agent, ecriture=True):
    return jeton(agent, ecriture=ecriture)[1]


def test_labels_liste_pose_retrait(m, client, jeton):
    demande = enregistrer(m)
    ddets = entetes(jeton, m.agent_ddets)
    url = f"/api/v1/demandes/{demande.pk}/labels/"
    reponse = client.post(
        url, {"type": "cp-dalo", "commentaire": "COMED"}, headers=ddets, content_type="application/json"
    )
    assert reponse.status_code == 201, reponse.json()
    label = reponse.json()
    assert (label["type"], label["organisme_nom"], label["actif"]) == ("cp-dalo", "DDETS de Loire-Atlantique", True)

    # Hors des droits : 403 avec le motif ; la tentative est journalisée.
    refus = client.post(url, {"type": "eligibilite-als"}, headers=ddets, content_type="application/json")
    assert refus.status_code == 403
    assert "contingent préfectoral" in refus.json()["detail"]
    assert Consultation.objects.filter(action="refus", objet_id=str(demande.pk)).exists()
    auto = client.post(url, {"type": "cp-premier-quartile"}, headers=ddets, content_type="application/json")
    assert auto.status_code == 403
    assert "calculé automatiquement" in auto.json()["detail"]

    # Saisie invalide ou label déjà posé : 400 par champ.
    inconnu = client.post(url, {"type": "cp-inconnu"}, headers=ddets, content_type="application/json")
    assert inconnu.status_code == 400
    assert "Label inconnu" in inconnu.json()["erreurs"]["type"][0]
    double = client.post(url, {"type": "cp-dalo"}, headers=ddets, content_type="application/json")
    assert double.status_code == 400
    assert "déjà posé" in double.json()["erreurs"]["type"][0]

    retrait = f"{url}{label['id']}/retrait/"
    als = entetes(jeton, m.agent_als)
    assert client.post(retrait, {}, headers=als, content_type="application/json").status_code == 403
    reponse = client.post(retrait, {"motif": "Relogé"}, headers=ddets, content_type="application/json")
    assert reponse.status_code == 200
    assert (reponse.json()["actif"], reponse.json()["motif_retrait"]) == (False, "Relogé")
    liste = client.get(url, headers=entetes(jeton, m.agent_bailleur, ecriture=False))
    assert [lab["type"] for lab in liste.json()] == ["cp-dalo"]
    assert liste.json()[0]["actif"] is False


def test_labels_hors_territoire_404_et_jeton_en_lecture_403(m, client, jeton):
    demande = enregistrer(m)
    url = f"/api/v1/demandes/{demande.pk}/labels/"
    assert client.get(url, headers=entetes(jeton, m.agent_lointain, ecriture=False)).status_code == 404
    lecture = entetes(jeton, m.agent_ddets, ecriture=False)
    assert client.post(url, {"type": "cp-dalo"}, headers=lecture, content_type="application/json").status_code == 403
    assert not Label.objects.exists()


def test_types_labels_indique_ce_qui_est_posable(m, client, jeton):
    reponse = client.get("/api/v1/types-labels/", headers=entetes(jeton, m.agent_reze, ecriture=False))
    posables = {t["code"] for t in reponse.json() if t["posable"]}
    assert posables == {m.mairie_reze.code}


def charge(m, **champs):
    corps = {
        "typologies": ["T2"],
        "statut_occupation": "locataire_prive",
        "motifs": ["trop_cher"],
        "personnes": [
            {
                "role": "demandeur",
                "nom": "Ligne",
                "prenom": "Lou",
                "date_naissance": "1990-02-03",
                "nationalite": "francaise",
                "ressources": [{"type": "salaire", "montant": "1500.00"}],
            }
        ],
        "localisations": [{"commune": "44143"}],
    }
    corps.update(champs)
    return corps


def test_depot_en_ligne_file_validation_et_rejet(m, client, jeton):
    ehs = entetes(jeton, m.agent_ehs)
    depot = client.post("/api/v1/demandes-en-ligne/", charge(m), headers=ehs, content_type="application/json")
    assert depot.status_code == 201, depot.json()
    premiere = depot.json()
    assert (premiere["etat"], premiere["numero_unique"], premiere["guichet_code"]) == ("a_valider", None, "10001")
    seconde = client.post(
        "/api/v1/demandes-en-ligne/", charge(m, typologies=["T3"]), headers=ehs, content_type="application/json"
    ).json()

    file = client.get("/api/v1/demandes-en-ligne/", headers=ehs).json()
    assert [d["id"] for d in file["results"]] == [premiere["id"], seconde["id"]]
    assert file["results"][0]["premiere_commune"] == "Rezé"
    assert file["results"][0]["piece_identite"] is False

    valider = f"/api/v1/demandes-en-ligne/{premiere['id']}/valider/"
    sans = client.post(valider, {"identite_verifiee": False}, headers=ehs, content_type="application/json")
    assert sans.status_code == 400
    assert "identite_verifiee" in sans.json()["erreurs"]
    # La case cochée ne suffit pas : la pièce d'identité doit être au dossier (seed 001 §2).
    sans_piece = client.post(valider, {"identite_verifiee": True}, headers=ehs, content_type="application/json")
    assert sans_piece.status_code == 400
    assert "pièce d'identité" in str(sans_piece.json()["erreurs"])
    assert Demande.objects.get(pk=premiere["id"]).etat == Demande.Etat.A_VALIDER
    pieces.deposer_piece(
        demande=Demande.objects.get(pk=premiere["id"]),
        type=TypePiece.IDENTITE,
        fichier=piece_identite(),
        auteur=Auteur(libelle="Le demandeur (dépôt en ligne)"),
    )
    assert client.get("/api/v1/demandes-en-ligne/", headers=ehs).json()["results"][0]["piece_identite"] is True
    ok = client.post(valider, {"identite_verifiee": True}, headers=ehs, content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["etat"] == "active"
    assert ok.json()["numero_unique"].endswith("10001")
    assert (
        client.post(valider, {"identite_verifiee": True}, headers=ehs, content_type="application/json").status_code
        == 409
    )

    rejeter = f"/api/v1/demandes-en-ligne/{seconde['id']}/rejeter/"
    vide = client.post(rejeter, {"motif": ""}, headers=ehs, content_type="application/json")
    assert vide.status_code == 400
    assert "motif" in vide.json()["erreurs"]
    assert (
        client.post(rejeter, {"motif": "Doublon"}, headers=ehs, content_type="application/json").json()["etat"]
        == "rejetee"
    )
    assert client.get("/api/v1/demandes-en-ligne/", headers=ehs).json()["results"] == []


def test_depot_incomplet_400_et_roles_refuses(m, client, jeton):
    ehs = entetes(jeton, m.agent_ehs)
    reponse = client.post(
        "/api/v1/demandes-en-ligne/", charge(m, motifs=[]), headers=ehs, content_type="application/json"
    )
    assert reponse.status_code == 400
    assert "motifs" in reponse.json()["erreurs"]
    assert not Demande.objects.exists()
    bailleur = entetes(jeton, m.agent_bailleur)
    assert (
        client.post(
            "/api/v1/demandes-en-ligne/", charge(m), headers=bailleur, content_type="application/json"
        ).status_code
        == 403
    )
    assert client.get("/api/v1/demandes-en-ligne/", headers=bailleur).status_code == 403
