"""Contrôle en profondeur des pièces déposées (issue 15.9) : un PDF qui agit à l'ouverture est réécrit sans
son JavaScript, du HTML derrière une signature JPEG et une image démesurée sont refusés, sans rien stocker."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from demandes.models import Evenement, Piece
from demandes.pieces import services as pieces
from fdls.organismes.models import Organisme
from fdls.socle.workflow import Auteur
from tests.monde.factories import DemandeFactory
from tests.monde.fichiers import PNG, image
from tests.monde.territoires import ville_de_reze

pytestmark = pytest.mark.usefixtures("stockage")


@pytest.fixture
def monde():
    t = ville_de_reze(nom_organisme="Espace Habitat Social", type_organisme=Organisme.Type.ADIL)
    return {"agent": t.agent, "demande": DemandeFactory(nom="Martin", communes=[t.reze])}


def deposer(monde, nom, contenu, type="identite"):
    return pieces.deposer_piece(
        demande=monde["demande"],
        type=type,
        fichier=SimpleUploadedFile(nom, contenu),
        auteur=Auteur.agent(monde["agent"]),
    )


def refuser(monde, stockage, nom, contenu) -> str:
    with pytest.raises(ValidationError) as erreur:
        deposer(monde, nom, contenu)
    assert not Piece.objects.exists()
    assert not [p for p in Path(stockage).rglob("*") if p.is_file()]
    return " ".join(erreur.value.message_dict["fichier"])


def pdf_actif() -> bytes:
    """Deux pages ; JavaScript à l'ouverture (``/OpenAction`` et ``/Names``), action de page (``/AA``) et
    lien JavaScript (``/Annots``)."""
    redacteur = PdfWriter()
    redacteur.add_blank_page(595, 842)
    redacteur.add_blank_page(595, 842)
    script = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('pirate');")}
    )
    redacteur._root_object[NameObject("/OpenAction")] = redacteur._add_object(script)
    redacteur.add_js("this.exportDataObject({cName: 'x', nLaunch: 2});")
    page = redacteur.pages[0]
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): script})
    lien = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(100)]),
            NameObject("/A"): script,
        }
    )
    page[NameObject("/Annots")] = ArrayObject([redacteur._add_object(lien)])
    sortie = io.BytesIO()
    redacteur.write(sortie)
    return sortie.getvalue()


def png_declare(largeur: int, hauteur: int) -> bytes:
    """Un PNG dont l'en-tête annonce ``largeur`` × ``hauteur`` (quelques octets de données seulement)."""

    def bloc(type_: bytes, donnees: bytes) -> bytes:
        return struct.pack(">I", len(donnees)) + type_ + donnees + struct.pack(">I", zlib.crc32(type_ + donnees))

    entete = struct.pack(">IIBBBBB", largeur, hauteur, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + bloc(b"IHDR", entete) + bloc(b"IDAT", zlib.compress(b"\x00" * 64)) + bloc(b"IEND", b"")
    )


def test_un_pdf_qui_agit_a_l_ouverture_est_conserve_sans_son_javascript(monde, stockage):
    original = pdf_actif()
    assert b"/OpenAction" in original
    assert b"/JavaScript" in original

    piece = deposer(monde, "identite.pdf", original)

    stocke = (Path(stockage) / piece.chemin).read_bytes()
    for marqueur in (b"/JavaScript", b"/JS", b"/OpenAction", b"/AA", b"/Annots", b"/Names", b"app.alert"):
        assert marqueur not in stocke, marqueur
    relu = PdfReader(io.BytesIO(stocke))
    assert len(relu.pages) == 2
    assert piece.taille == len(stocke)
    ajout = Evenement.objects.get(demande=monde["demande"], type=Evenement.Type.PIECE_AJOUTEE)
    assert {"/OpenAction", "/Names", "/AA", "/Annots"} <= set(ajout.details["contenu_retire"])


@pytest.mark.parametrize(
    ("nom", "contenu", "message"),
    [
        ("photo.jpg", b"\xff\xd8\xff<html><script>alert(1)</script></html>", "contient du code (HTML ou script)"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + bytes(60), "n'est pas une image JPEG valide"),
        ("scan.png", PNG + b"<script>fetch('/demandes/')</script>", "contient du code (HTML ou script)"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"<svg onload=alert(1)>", "contient du code (HTML ou script)"),
        ("avis.pdf", b"%PDF-1.7\n<html><body>pas un pdf</body></html>", "est illisible ou endommagé"),
    ],
)
def test_un_contenu_qui_n_est_pas_celui_annonce_est_refuse(monde, stockage, nom, contenu, message):
    assert message in refuser(monde, stockage, nom, contenu)


@pytest.mark.parametrize(
    ("largeur", "hauteur", "message"),
    [
        (20_000, 20_000, "est trop grande : au plus 40 millions de pixels"),
        (7_000, 7_000, "mesure 7\u202f000 × 7\u202f000 pixels : au plus 40 millions de pixels"),
    ],
)
def test_une_image_demesuree_est_refusee_sans_etre_decompressee(monde, stockage, largeur, hauteur, message):
    assert message in refuser(monde, stockage, "scan.png", png_declare(largeur, hauteur))


def test_une_vraie_image_numerisee_est_admise(monde, stockage):
    contenu = image("JPEG", (2480, 3508))  # A4 à 300 dpi
    piece = deposer(monde, "avis.jpg", contenu, type="avis_imposition")
    assert (Path(stockage) / piece.chemin).read_bytes() == contenu


def test_l_ecran_refuse_l_image_demesuree_et_garde_le_formulaire(client, agent_verifie, monde, stockage):
    agent_verifie(monde["agent"])
    url = reverse("demandes:pieces", args=[monde["demande"].pk])
    reponse = client.post(url, {"type": "identite", "fichier": SimpleUploadedFile("cni.png", png_declare(9000, 9000))})
    assert reponse.status_code == 422
    html = reponse.content.decode()
    assert "mesure 9\u202f000 × 9\u202f000 pixels" in html
    assert 'value="identite" selected' in html
    assert not Piece.objects.exists()
