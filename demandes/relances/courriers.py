"""Lettres aux demandeurs : PDF à la mise en page des éditions (WeasyPrint), rangés en lots d'impression.

Deux lettres : le rappel de renouvellement (CCH R441-2-7) et l'avertissement
avant radiation (CCH R441-2-8 c, à envoyer en recommandé avec accusé de
réception). Chaque lettre est écrite sous un nom fixe (celui de la relance ou
de la demande avertie) dans le répertoire de son lot, ``FDLS_COURRIERS_DIR`` :

- ``<échéance>/relance-<id>.pdf`` : rappels d'une même échéance, donc d'un
  même passage quotidien (l'échéance est le jour du traitement + le préavis) ;
- ``avertissements/<jour>/avertissement-<demande>.pdf`` : avertissements du jour.

À côté de chaque PDF, son HTML (``.html``) ; ``assembler_lot`` en refait le
lot d'impression ``lot-<répertoire>.pdf`` (toutes les lettres du répertoire à
la suite, chacune sur ses pages). Réécrire une lettre ou refaire le lot est
sans effet : un renvoi ne fait jamais imprimer deux fois.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from fdls.socle.pdf import rendre_pdf, rendre_pdf_lot

GABARIT_RAPPEL = "demandes/relances/rappel.html"
GABARIT_AVERTISSEMENT = "demandes/relances/avertissement.html"
MENTION_RECOMMANDE = "Lettre recommandée avec accusé de réception"


def racine() -> Path:
    return Path(settings.FDLS_COURRIERS_DIR)


def dossier_rappels(echeance) -> Path:
    return racine() / echeance.isoformat()


def dossier_avertissements(jour) -> Path:
    return racine() / "avertissements" / jour.isoformat()


def _ecrire(chemin: Path, contenu: bytes) -> None:
    provisoire = chemin.with_name(chemin.name + ".tmp")
    provisoire.write_bytes(contenu)
    provisoire.replace(chemin)


def ecrire_lettre(dossier: Path, nom: str, gabarit: str, contexte: dict) -> Path:
    """Écrit ``<nom>.pdf`` (et son ``.html``) dans ``dossier`` ; rend le chemin du PDF."""
    dossier.mkdir(parents=True, exist_ok=True)
    contexte = {"edite_le": timezone.localdate(), "mention_envoi": "", **contexte}
    html = render_to_string(gabarit, contexte)
    pdf = dossier / f"{nom}.pdf"
    _ecrire(pdf, rendre_pdf(gabarit, contexte))
    _ecrire(dossier / f"{nom}.html", html.encode("utf-8"))
    return pdf


def assembler_lot(dossier: Path) -> Path | None:
    """Refait ``lot-<répertoire>.pdf`` : toutes les lettres du répertoire, par nom, à imprimer en une fois."""
    lettres = sorted(dossier.glob("*.html"))
    if not lettres:
        return None
    lot = dossier / f"lot-{dossier.name}.pdf"
    _ecrire(lot, rendre_pdf_lot([chemin.read_text(encoding="utf-8") for chemin in lettres]))
    return lot
