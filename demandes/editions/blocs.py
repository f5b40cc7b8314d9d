"""Blocs de la fiche de synthèse fournis par les applications au-dessus des demandes (registre rempli au démarrage).

Les demandes n'importent pas l'instruction (contrats d'architecture) : c'est
l'instruction qui, dans son ``AppConfig.ready``, enregistre ici la fonction qui
lit les contacts, positionnements, propositions et visites d'une demande. La
fiche de synthèse PDF les montre ; à l'écran, le même bloc est chargé par htmx
depuis une URL de l'instruction. Sans source enregistrée, les blocs sont vides.
"""

from __future__ import annotations

from collections.abc import Callable

#: Les blocs de l'instruction (contacts pré-CAL, positionnements, CAL, propositions, visites), vides.
INSTRUCTION_VIDE = {"contacts": [], "positionnements": [], "commissions": [], "propositions": [], "visites": []}

Source = Callable[[object], dict]
SOURCES: list[Source] = []


def enregistrer(fonction: Source) -> None:
    """Ajoute ``fonction(demande) -> dict`` aux sources des blocs de l'instruction (une fois)."""
    if fonction not in SOURCES:
        SOURCES.append(fonction)


def instruction_de(demande) -> dict:
    """Les blocs de l'instruction d'une demande, réunis depuis les sources enregistrées."""
    blocs = {cle: list(valeur) for cle, valeur in INSTRUCTION_VIDE.items()}
    for source in SOURCES:
        blocs.update(source(demande))
    return blocs
