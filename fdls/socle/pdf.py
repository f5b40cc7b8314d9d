"""Rendu PDF des éditions (WeasyPrint), sans aucune ressource externe.

``recuperateur`` ne sert que les fichiers statiques du projet (feuilles
``css/editions.css``…) et refuse toute autre adresse ; les polices sont
celles du système (DejaVu Sans, Liberation Sans : docs/decisions.md).
Servent les éditions de la demande (``demandes/editions/pdf.py``), les
lettres aux demandeurs (``demandes/relances/courriers.py``) et le livret de
la cotation.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

#: Feuille d'impression des éditions (static/css/editions.css), jointe par ``rendre_pdf``.
FEUILLE_EDITIONS = "css/editions.css"

#: Racine fictive des URL du document : seules les adresses sous ``STATIC_URL`` y sont servies.
BASE_DOCUMENT = "https://fdls.invalid/"


def fichier_statique(chemin: str) -> Path | None:
    """Fichier statique du projet (répertoires sources, puis ``STATIC_ROOT`` pour les noms hachés)."""
    if not chemin or chemin.startswith(("/", "\\")) or ".." in Path(chemin).parts:
        return None
    trouve = finders.find(chemin)
    if trouve:
        return Path(trouve)
    # Comme ``safe_join`` de Django (module privé) : chemin normalisé, qui doit rester sous STATIC_ROOT.
    racine = os.path.abspath(settings.STATIC_ROOT)
    candidat = os.path.abspath(os.path.join(racine, chemin))
    if os.path.commonpath([racine, candidat]) != racine:
        return None
    return Path(candidat) if os.path.isfile(candidat) else None


def recuperateur():
    """``URLFetcher`` de WeasyPrint qui ne sert que les fichiers statiques locaux et refuse tout le reste."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class RecuperateurStatique(URLFetcher):
        def fetch(self, url, headers=None):
            prefixe = BASE_DOCUMENT + settings.STATIC_URL.lstrip("/")
            if not url.startswith(prefixe):
                raise ValueError(f"Ressource externe refusée dans une édition PDF : {url}")
            chemin = fichier_statique(url.removeprefix(prefixe).split("?")[0].split("#")[0])
            if chemin is None:
                raise ValueError(f"Fichier statique introuvable : {url}")
            type_mime = mimetypes.guess_type(chemin.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, chemin.read_bytes(), {"Content-Type": type_mime})

    return RecuperateurStatique(allowed_protocols=("https",), allow_redirects=False)


_FEUILLES: dict[str, dict] = {}


def feuille_et_polices(feuille: str = FEUILLE_EDITIONS):
    """Feuille de style (chemin sous ``static/``) analysée une fois par processus, avec sa configuration de
    polices (fontconfig) : l'analyse et le chargement des polices ne se refont pas à chaque édition."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    chemin = fichier_statique(feuille)
    date_modif = chemin.stat().st_mtime if chemin else None
    entree = _FEUILLES.get(feuille)
    if entree is None or entree["date"] != date_modif:
        polices = FontConfiguration()
        css = CSS(
            url=BASE_DOCUMENT + settings.STATIC_URL.lstrip("/") + feuille,
            url_fetcher=recuperateur(),
            font_config=polices,
        )
        entree = _FEUILLES[feuille] = {"date": date_modif, "css": css, "polices": polices}
    return entree["css"], entree["polices"]


def rendre_pdf(gabarit: str, contexte: dict, *, feuille: str = FEUILLE_EDITIONS) -> bytes:
    """HTML du gabarit → PDF (A4), ressources limitées aux fichiers statiques du projet.

    ``feuille`` : la feuille de style de l'édition (``css/editions.css`` par défaut ; le livret de la
    cotation a la sienne)."""
    from weasyprint import HTML

    css, polices = feuille_et_polices(feuille)
    html = render_to_string(gabarit, contexte)
    document = HTML(string=html, base_url=BASE_DOCUMENT, url_fetcher=recuperateur())
    # PDF balisé (structure des titres, tableaux, listes) : lisible par les lecteurs d'écran (RGAA).
    return document.write_pdf(stylesheets=[css], font_config=polices, pdf_tags=True)


def rendre_pdf_lot(htmls: list[str], *, feuille: str = FEUILLE_EDITIONS) -> bytes:
    """Un seul PDF fait de documents HTML rendus à la suite (lot d'impression : chacun garde ses pages)."""
    from weasyprint import HTML

    css, polices = feuille_et_polices(feuille)
    documents = [
        HTML(string=html, base_url=BASE_DOCUMENT, url_fetcher=recuperateur()).render(
            stylesheets=[css], font_config=polices, pdf_tags=True
        )
        for html in htmls
    ]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages=pages).write_pdf(pdf_tags=True)
