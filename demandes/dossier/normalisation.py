"""Normalisation des noms pour la recherche et les clés de doublons.

``normaliser_nom("  Le Bihan-Guéguen ")`` → ``"LE BIHAN GUEGUEN"`` : majuscules,
sans accents ni ponctuation, espaces réduits. La clé phonétique est le
Metaphone de jellyfish (docs/decisions.md) calculé sur le nom normalisé
sans espaces : « Dupont » et « Dupond », « Philippe » et « Filipe » partagent
leur clé.
"""

import re
import unicodedata

import jellyfish

_NON_LETTRES = re.compile(r"[^A-Z ]+")
_ESPACES = re.compile(r"\s+")


def sans_accents(texte: str) -> str:
    """``"Gwénaëlle Le Bihan-Guéguen"`` → ``"Gwenaelle Le Bihan-Gueguen"`` : accents et cédilles
    retirés, casse et ponctuation gardées (la seule définition du projet)."""
    texte = unicodedata.normalize("NFKD", texte or "")
    return "".join(c for c in texte if not unicodedata.combining(c))


def normaliser_nom(texte: str) -> str:
    texte = sans_accents(texte).upper().replace("Œ", "OE").replace("Æ", "AE")
    texte = _NON_LETTRES.sub(" ", texte)
    return _ESPACES.sub(" ", texte).strip()


def cle_phonetique(texte: str) -> str:
    compact = normaliser_nom(texte).replace(" ", "")
    return jellyfish.metaphone(compact)[:40] if compact else ""


def nom_naissance_cle(nom: str, nom_naissance: str) -> str:
    """Nom de naissance normalisé s'il diffère du nom (d'usage), sinon vide : la clé n'en garde que l'utile."""
    naissance = normaliser_nom(nom_naissance)
    return naissance if naissance != normaliser_nom(nom) else ""


def sexe_cle(sexe: str, civilite: str = "") -> str:
    """« M » ou « F » : le sexe saisi, sinon celui que dit la civilité (« MME » → « F »), sinon vide."""
    if sexe in ("M", "F"):
        return sexe
    return {"M": "M", "MME": "F"}.get(civilite or "", "")
