"""Fichiers de test : pièces justificatives (octets réels de chaque format) et fichiers d'import du parc
(CSV et XLSX construits à partir de lignes)."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from offre.importation.analyse import COLONNES

# Petits fichiers réels : les octets magiques de chaque format, puis un peu de contenu.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40) + b"\xff\xd9"
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
