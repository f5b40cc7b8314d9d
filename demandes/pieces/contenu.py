"""Contrôle en profondeur du contenu d'une pièce déposée (après les octets magiques de ``services``).

* **PDF** : relu par pypdf puis **réécrit** page à page dans un document neuf ; n'en passent que le
  contenu des pages (``/Contents``, ``/Resources``, cadres, rotation). Tout le reste est laissé derrière :
  actions à l'ouverture (``/OpenAction``, ``/AA``), JavaScript (``/Names``), formulaires (``/AcroForm``,
  XFA), fichiers joints, annotations et liens (``/Annots``). C'est le fichier réécrit qui est conservé. Un
  PDF que pypdf ne sait pas lire, protégé par un mot de passe ou sans page est refusé.
* **Images** (JPEG, PNG) : ouvertes par Pillow, qui doit y reconnaître le format annoncé (du HTML derrière
  une signature JPEG ne l'est pas) ; leurs dimensions sont bornées (``FDLS_PIECE_PIXELS_MAX`` pixels),
  lues dans l'en-tête sans décompresser l'image, et la structure est vérifiée (``verify``). Un fichier qui
  contient du balisage actif (HTML, script, SVG, PHP) est refusé, quel que soit son format.

Chaque refus est une ``ValidationError`` sur le champ ``fichier``, en français, qui dit quoi faire.
Choix des bibliothèques (pypdf, Pillow, déjà présentes par WeasyPrint) : docs/decisions.md, session 8.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import NameObject

from fdls.socle.typographie import nombre

logger = logging.getLogger(__name__)

# Clés d'une page recopiées dans le PDF réécrit : de quoi l'afficher et l'imprimer, rien qui agisse.
CLES_DE_PAGE = ("/Type", "/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox", "/Resources", "/Contents")
CLES_DE_PAGE_VALEUR = ("/Rotate", "/UserUnit")
# Balisage actif : un navigateur qui « renifle » le contenu l'exécuterait.
BALISAGE_ACTIF = re.compile(rb"<\s*(?:script|html|body|iframe|svg|object|embed)[\s>/]|<!doctype\s+html|<\?php", re.I)
FORMAT_PILLOW = {"image/jpeg": "JPEG", "image/png": "PNG"}


@dataclass(frozen=True)
class Contenu:
    """Les octets à conserver et ce qui en a été retiré (libellés pour l'historique)."""

    octets: bytes
    retire: tuple[str, ...] = ()


def _erreur(message: str, code: str) -> ValidationError:
    return ValidationError({"fichier": [ValidationError(message, code=code)]})


def pixels_max() -> int:
    return int(settings.FDLS_PIECE_PIXELS_MAX)


def controler_contenu(octets: bytes, type_contenu: str, nom: str) -> Contenu:
    """Vérifie (et, pour un PDF, réécrit) le contenu ; rend les octets à conserver ou lève ValidationError."""
    if type_contenu != "application/pdf" and BALISAGE_ACTIF.search(octets):
        raise _erreur(
            f"Le fichier « {nom} » contient du code (HTML ou script) et non une image : déposez le document "
            "numérisé lui-même.",
            "contenu_actif",
        )
    if type_contenu == "application/pdf":
        return _reecrire_pdf(octets, nom)
    _controler_image(octets, type_contenu, nom)
    return Contenu(octets)


# ---------------------------------------------------------------- PDF


def _reecrire_pdf(octets: bytes, nom: str) -> Contenu:
    illisible = _erreur(
        f"Le PDF « {nom} » est illisible ou endommagé : enregistrez-le à nouveau (ou numérisez le document) "
        "puis déposez-le.",
        "pdf_illisible",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lecteur = PdfReader(io.BytesIO(octets), strict=False)
            if lecteur.is_encrypted and not lecteur.decrypt(""):
                raise _erreur(
                    f"Le PDF « {nom} » est protégé par un mot de passe : déposez une version sans mot de passe.",
                    "pdf_protege",
                )
            retire = _marqueurs_actifs(lecteur)
            redacteur = PdfWriter()
            for page in lecteur.pages:
                for cle in list(page.keys()):
                    if cle not in CLES_DE_PAGE and cle not in CLES_DE_PAGE_VALEUR:
                        del page[NameObject(cle)]
                redacteur.add_page(page)
            if not redacteur.pages:
                raise _erreur(f"Le PDF « {nom} » ne contient aucune page.", "pdf_vide")
            sortie = io.BytesIO()
            redacteur.write(sortie)
    except ValidationError:
        raise
    except (PdfReadError, PyPdfError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        logger.info("PDF refusé (%s) : %s", nom, exc)
        raise illisible from exc
    return Contenu(sortie.getvalue(), retire)


def _marqueurs_actifs(lecteur: PdfReader) -> tuple[str, ...]:
    """Marqueurs d'action trouvés dans le catalogue et les pages (pour l'historique, pas pour décider :
    la réécriture retire tout ce qui n'est pas le contenu des pages)."""
    trouves = set()
    catalogue = lecteur.trailer.get("/Root", {})
    catalogue = catalogue.get_object() if hasattr(catalogue, "get_object") else catalogue
    for cle in ("/OpenAction", "/AA", "/AcroForm", "/Names"):
        if cle in catalogue:
            trouves.add(cle)
    for page in lecteur.pages:
        for cle in ("/AA", "/Annots"):
            if cle in page:
                trouves.add(cle)
    return tuple(sorted(trouves))


# ---------------------------------------------------------------- images


def _controler_image(octets: bytes, type_contenu: str, nom: str) -> None:
    attendu = FORMAT_PILLOW[type_contenu]
    libelle = "une image JPEG" if attendu == "JPEG" else "une image PNG"
    invalide = _erreur(
        f"Le fichier « {nom} » n'est pas {libelle} valide : enregistrez à nouveau le document numérisé puis "
        "déposez-le.",
        "image_invalide",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(octets))
            largeur, hauteur = image.size
            if image.format != attendu:
                raise invalide
            _verifier_dimensions(largeur, hauteur, nom)
            image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _trop_grande(nom, None) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise invalide from exc


def _verifier_dimensions(largeur: int, hauteur: int, nom: str) -> None:
    if largeur <= 0 or hauteur <= 0:
        raise _erreur(f"L'image « {nom} » n'a pas de dimensions valides.", "image_invalide")
    if largeur * hauteur > pixels_max():
        raise _trop_grande(nom, (largeur, hauteur))


def _trop_grande(nom: str, dimensions: tuple[int, int] | None) -> ValidationError:
    taille = f" mesure {nombre(dimensions[0])} × {nombre(dimensions[1])} pixels" if dimensions else " est trop grande"
    return _erreur(
        f"L'image « {nom} »{taille} : au plus {pixels_max() // 1_000_000} millions de pixels (une page A4 "
        "numérisée à 600 dpi en compte 35). Numérisez-la en plus basse résolution.",
        "image_trop_grande",
    )
