"""API des pièces justificatives : dépôt multipart, métadonnées, téléchargement audité, obsolescence,
suppression ; 400 par champ, 403 sans droit d'écriture, 404 hors du périmètre (journalisé)."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from demandes.models import Evenement, Personne, Piece
from demandes.pieces import services as pieces
from fdls.audit.models import Consultation
from fdls.comptes.models import Role
from fdls.organismes.models import Organisme
from fdls.socle.workflow import Auteur
from tests.monde.factories import AgentFactory, DemandeFactory
from tests.monde.fichiers import EXE, PDF, PNG
from tests.monde.territoires import ville_de_reze

pytestmark = pytest.mark.usefixtures("stockage")


@pytest.fixture
def monde(jeton):
    t = ville_de_reze(nom_organisme="Espace Habitat Social", type_organisme=Organisme.Type.ADIL)
    agent, entetes, _ = jeton(t.agent, ecriture=True)
    demande = DemandeFactory(nom="Martin", prenom="Claire", communes=[t.reze])
    return {"reze": t.reze, "nantes": t.nantes, "agent": agent, "entetes": entetes, "demande": demande}


def url(demande, *suite):
    return "/".join([f"/api/v1/demandes/{demande.pk}/pieces", *map(str, suite)]) + "/"


def deposer(client, monde, nom="cni.pdf", contenu=PDF, **donnees):
    donnees.setdefault("type", "identite")
    donnees["fichier"] = SimpleUploadedFile(nom, contenu)
    return client.post(url(monde["demande"]), donnees, headers=monde["entetes"])


def piece_existante(monde):
    return pieces.deposer_piece(
        demande=monde["demande"],
        type="avis_imposition",
        fichier=SimpleUploadedFile("avis.pdf", PDF),
        auteur=Auteur.agent(monde["agent"]),
    )


def test_deposer_une_piece_en_multipart(client, monde):
    demandeur = Personne.objects.get(demande=monde["demande"])

    reponse = deposer(client, monde, personne=demandeur.pk)

    assert reponse.status_code == 201, reponse.json()
    corps = reponse.json()
    piece = Piece.objects.get()
    assert reponse["Location"].endswith(url(monde["demande"], piece.pk))
    assert corps["type"] == "identite"
    assert corps["type_libelle"] == "Pièce d'identité"
    assert corps["personne"] == demandeur.pk
    assert corps["nom_origine"] == "cni.pdf"
    assert corps["type_contenu"] == "application/pdf"
    assert corps["taille"] == len(PDF)
    assert corps["empreinte"] == hashlib.sha256(PDF).hexdigest()
    assert corps["etat"] == "valide"
    assert corps["organisme_nom"] == monde["agent"].organisme.nom
    assert corps["fichier"].endswith(url(monde["demande"], piece.pk, "fichier"))
    assert "chemin" not in corps
    assert Evenement.objects.filter(demande=monde["demande"], type=Evenement.Type.PIECE_AJOUTEE).count() == 1


@pytest.mark.parametrize(
    ("donnees", "nom", "contenu", "champ", "message"),
    [
        ({"type": "identite"}, "avis.pdf", PNG, "fichier", "son contenu est celui d'une image PNG"),
        ({"type": "identite"}, "photo.jpg", EXE, "fichier", "c'est un programme Windows"),
        ({"type": "identite"}, "vide.pdf", b"", "fichier", "est vide"),
        ({"type": "passeport_du_chat"}, "cni.pdf", PDF, "type", "n'est pas un choix valide"),
        ({"type": "identite", "personne": 999999}, "cni.pdf", PDF, "personne", "ne fait pas partie du ménage"),
    ],
)
def test_erreurs_de_depot_par_champ(client, monde, stockage, donnees, nom, contenu, champ, message):
    reponse = deposer(client, monde, nom=nom, contenu=contenu, **donnees)

    assert reponse.status_code == 400
    corps = reponse.json()
    assert corps["code"] == "invalide"
    assert list(corps["erreurs"]) == [champ]
    assert message in corps["erreurs"][champ][0]
    assert not Piece.objects.exists()
    assert not [f for f in stockage.rglob("*") if f.is_file()]


def test_lister_lire_et_telecharger_sont_journalises(client, monde):
    piece = piece_existante(monde)

    liste = client.get(url(monde["demande"]), headers=monde["entetes"])
    assert liste.status_code == 200
    assert [p["id"] for p in liste.json()] == [piece.pk]

    detail = client.get(url(monde["demande"], piece.pk), headers=monde["entetes"])
    assert detail.status_code == 200
    assert detail.json()["type"] == "avis_imposition"

    fichier = client.get(
        url(monde["demande"], piece.pk, "fichier"), headers={**monde["entetes"], "Accept": "application/pdf"}
    )
    assert fichier.status_code == 200
    assert b"".join(fichier.streaming_content) == PDF
    assert fichier["Content-Type"] == "application/pdf"
    assert fichier["Content-Disposition"].startswith("attachment;")
    assert fichier["X-Content-Type-Options"] == "nosniff"

    actions = list(Consultation.objects.filter(utilisateur=monde["agent"]).values_list("action", "objet_type"))
    assert ("api", "demandes.demande") in actions
    assert ("api", "demandes.piece") in actions
    assert ("telechargement", "demandes.piece") in actions


def test_rendre_obsolete_puis_supprimer(client, monde):
    piece = piece_existante(monde)

    sans_motif = client.post(url(monde["demande"], piece.pk, "obsolete"), {}, headers=monde["entetes"])
    assert sans_motif.status_code == 400
    assert list(sans_motif.json()["erreurs"]) == ["motif"]

    reponse = client.post(
        url(monde["demande"], piece.pk, "obsolete"),
        {"motif": "Avis 2022, trop ancien"},
        content_type="application/json",
        headers=monde["entetes"],
    )
    assert reponse.status_code == 200
    assert reponse.json()["etat"] == "obsolete"
    assert reponse.json()["motif_obsolescence"] == "Avis 2022, trop ancien"

    encore = client.post(
        url(monde["demande"], piece.pk, "obsolete"),
        {"motif": "x"},
        content_type="application/json",
        headers=monde["entetes"],
    )
    assert encore.status_code == 400
    assert "déjà obsolète" in encore.json()["erreurs"]["non_field_errors"][0]

    suppression = client.delete(url(monde["demande"], piece.pk), headers=monde["entetes"])
    assert suppression.status_code == 204
    assert not Piece.objects.exists()
    types = set(Evenement.objects.filter(demande=monde["demande"]).values_list("type", flat=True))
    assert {"piece_ajoutee", "piece_obsolete", "piece_supprimee"} <= types


def test_hors_du_perimetre_404_et_tentative_journalisee(client, monde, jeton):
    piece = piece_existante(monde)
    nantais, entetes, _ = jeton(ecriture=True, organisme__perimetre=[monde["nantes"]])

    assert client.get(url(monde["demande"]), headers=entetes).status_code == 404
    assert client.get(url(monde["demande"], piece.pk), headers=entetes).status_code == 404
    assert client.get(url(monde["demande"], piece.pk, "fichier"), headers=entetes).status_code == 404
    assert client.delete(url(monde["demande"], piece.pk), headers=entetes).status_code == 404
    reponse = client.post(
        url(monde["demande"]), {"type": "identite", "fichier": SimpleUploadedFile("a.pdf", PDF)}, headers=entetes
    )
    assert reponse.status_code == 404
    assert reponse.json()["code"] == "introuvable"

    assert Piece.objects.count() == 1
    assert Consultation.objects.filter(utilisateur=nantais, action="refus").count() == 5  # une par tentative
    assert not Consultation.objects.filter(utilisateur=nantais).exclude(action="refus").exists()


def test_lecture_seule_403_pour_un_bailleur_et_un_jeton_de_lecture(client, monde, jeton):
    piece = piece_existante(monde)
    _, bailleur, _ = jeton(ecriture=True, roles=[Role.INSTRUCTEUR_BAILLEUR], organisme__perimetre=[monde["reze"]])
    _, lecture, _ = jeton(agent=monde["agent"])

    assert client.get(url(monde["demande"], piece.pk), headers=bailleur).status_code == 200
    for entetes in (bailleur, lecture):
        assert client.delete(url(monde["demande"], piece.pk), headers=entetes).status_code == 403
        reponse = client.post(
            url(monde["demande"], piece.pk, "obsolete"),
            {"motif": "x"},
            content_type="application/json",
            headers=entetes,
        )
        assert reponse.status_code == 403
        assert reponse.json()["code"] == "acces_refuse"
    assert Piece.objects.get().etat == "valide"


def test_un_instructeur_bailleur_depose_une_piece_de_l_instruction(client, monde, jeton):
    # Issue 18, point 5 : dépôt permis sur une demande active, au nom du bailleur ; un réservataire, non.
    agent, bailleur, _ = jeton(ecriture=True, roles=[Role.INSTRUCTEUR_BAILLEUR], organisme__perimetre=[monde["reze"]])
    _, reservataire, _ = jeton(
        ecriture=True, roles=[Role.RESERVATAIRE], organisme__type="etat", organisme__perimetre=[monde["reze"]]
    )

    refuse = client.post(
        url(monde["demande"]),
        {"type": "avis_imposition", "fichier": SimpleUploadedFile("a.pdf", PDF)},
        headers=reservataire,
    )
    reponse = client.post(
        url(monde["demande"]),
        {"type": "avis_imposition", "fichier": SimpleUploadedFile("a.pdf", PDF)},
        headers=bailleur,
    )

    assert refuse.status_code == 403
    assert reponse.status_code == 201
    assert reponse.json()["organisme_nom"] == agent.organisme.nom
    assert Piece.objects.get().organisme == agent.organisme


def test_un_observateur_n_a_pas_acces(client, monde, jeton):
    piece = piece_existante(monde)
    _, entetes, _ = jeton(agent=AgentFactory(roles=[Role.OBSERVATEUR], organisme__perimetre=[monde["reze"]]))
    assert client.get(url(monde["demande"], piece.pk, "fichier"), headers=entetes).status_code == 403
