"""Fichiers de test : pièces justificatives (octets réels de chaque format) et fichiers d'import du parc
(CSV et XLSX construits à partir de lignes)."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from offre.importation.analyse import COLONNES


def _pdf() -> bytes:
    redacteur = PdfWriter()
    redacteur.add_blank_page(595, 842)
    sortie = io.BytesIO()
    redacteur.write(sortie)
    return sortie.getvalue()


def image(format_: str, taille=(16, 16)) -> bytes:
    sortie = io.BytesIO()
    Image.new("RGB", taille, (200, 120, 40)).save(sortie, format=format_)
    return sortie.getvalue()


# Petits fichiers réels, lisibles par pypdf et Pillow (les pièces sont contrôlées en profondeur).
PDF = _pdf()
PNG = image("PNG")
JPEG = image("JPEG")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(60) + b"This program cannot be run in DOS mode."

ENTETES = [c.nom for c in COLONNES]


def ligne(**valeurs) -> dict:
    """Une ligne valide (commune 44500 créée par les tests), modifiable par mot-clé."""
    base = {
        "code_programme": "0629",
        "nom_programme": "KALLIMA 2",
        "adresse": "2 rue d'Allonville",
        "code_insee": "44500",
        "quartier": "",
        "qpv": "non",
        "annee_construction": "1998",
        "code_logement": "0013",
        "typologie": "T3",
        "categorie": "appartement",
        "nature": "simple",
        "surface": "68,5",
        "etage": "3",
        "ascenseur": "oui",
        "accessibilite": "1",
        "loyer": "412,30",
        "charges": "85",
        "financement": "PLUS",
        "reservataire": "",
        "dpe": "C",
        "loyer_accessible": "non",
        "labels": "",
    }
    base.update(valeurs)
    return base


def csv_de(lignes, *, separateur=";", entetes=None, encodage="utf-8") -> bytes:
    entetes = entetes or ENTETES
    texte = separateur.join(entetes) + "\n"
    for valeurs in lignes:
        texte += separateur.join(str(valeurs.get(e, "")) for e in entetes) + "\n"
    return texte.encode(encodage)


def xlsx_de(lignes) -> bytes:
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.append(ENTETES)
    for valeurs in lignes:
        feuille.append([valeurs.get(e, "") for e in ENTETES])
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def piece_identite(nom: str = "carte-identite.pdf"):
    """Le fichier de la pièce d'identité du demandeur, joint à l'enregistrement (obligatoire, seed 001 §2)."""
    return SimpleUploadedFile(nom, PDF, content_type="application/pdf")
