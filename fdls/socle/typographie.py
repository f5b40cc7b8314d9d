"""Typographie française des écrans, PDF et colonnes d'affichage des exports : une seule fonction par règle.

- ``formater_nu`` : le numéro unique en quatre groupes, ``044 1226 000035 10001`` (département, mois et
  année, séquence, guichet), lisible au téléphone ; toute saisie (espaces, tirets, points) est relue ;
- ``nombre`` : virgule décimale, milliers séparés par une espace fine insécable (U+202F) : ``12 500,5`` ;
- ``pluriel`` : ``1 ligne en erreur``, ``2 lignes en erreur`` ; en français, 0 et 1 sont au singulier.

Les gabarits les lisent par les filtres ``nu``, ``nombre`` et ``pluriel`` (``fdls.socle.templatetags.typographie``,
chargés d'office dans tous les gabarits : réglage ``TEMPLATES[...]["OPTIONS"]["builtins"]``).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

#: Espace fine insécable : séparateur des milliers (et avant « € », « % » dans les gabarits).
ESPACE_FINE = "\u202f"

_CHIFFRES = re.compile(r"\D")
_NU_DANS_UN_TEXTE = re.compile(r"(?<!\d)(\d{3})(\d{4})(\d{6})(\d{5})(?!\d)")


def chiffres(saisie) -> str:
    """Les seuls chiffres d'une saisie (``044 1226-000035.10001`` → ``044122600003510001``)."""
    return _CHIFFRES.sub("", str(saisie or ""))


def formater_nu(valeur) -> str:
    """``044122600003510001`` (ou toute saisie de ses 18 chiffres) → ``044 1226 000035 10001`` ; sinon tel quel."""
    if not valeur:
        return ""
    brut = chiffres(valeur)
    if len(brut) != 18:
        return str(valeur)
    return f"{brut[:3]} {brut[3:7]} {brut[7:13]} {brut[13:]}"


def formater_nu_dans_texte(texte: str) -> str:
    """Chaque numéro unique de 18 chiffres d'un texte libre (libellé du journal, message) mis en groupes."""
    return _NU_DANS_UN_TEXTE.sub(r"\1 \2 \3 \4", texte or "")


def nombre(valeur, decimales: int | None = None) -> str:
    """``12.5`` → ``12,5`` ; ``12500`` → ``12 500`` (espace fine) ; ``decimales`` fixe le nombre de décimales.

    Sans ``decimales``, les zéros inutiles tombent (``12.50`` → ``12,5``). Une valeur vide ou qui n'est pas
    un nombre est rendue telle quelle (``None`` → ``""``).
    """
    if valeur is None or valeur == "":
        return ""
    try:
        nombre_decimal = Decimal(str(valeur))
    except (InvalidOperation, ValueError):
        return str(valeur)
    if not nombre_decimal.is_finite():
        return str(valeur)
    if decimales is not None:
        texte = f"{nombre_decimal:,.{int(decimales)}f}"
    else:
        texte = f"{nombre_decimal.normalize():,f}"
        if "." in texte:
            texte = texte.rstrip("0").rstrip(".")
    if texte in ("-0", "-0,0"):
        texte = texte[1:]
    return texte.replace(",", ESPACE_FINE).replace(".", ",")


def pluriel(nombre_, singulier: str, forme_plurielle: str | None = None) -> str:
    """``pluriel(2, "ligne en erreur", "lignes en erreur")`` → ``2 lignes en erreur`` (0 et 1 au singulier).

    Sans forme plurielle, un « s » s'ajoute au premier mot (``ligne en erreur`` → ``lignes en erreur``).
    """
    try:
        n = Decimal(str(nombre_))
    except (InvalidOperation, ValueError):
        return f"{nombre_} {singulier}"
    if forme_plurielle is None:
        premier, _, reste = singulier.partition(" ")
        forme_plurielle = f"{premier}s" + (f" {reste}" if reste else "")
    return f"{nombre(n)} {singulier if abs(n) < 2 else forme_plurielle}"
