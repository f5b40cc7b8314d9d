"""Les modèles de l'application ``instruction``, réunis pour Django (chaque modèle vit dans sa fonctionnalité)."""

from instruction.propositions.models import (
    Contact,
    Positionnement,
    Proposition,
    TransitionContact,
    TransitionPositionnement,
    TransitionProposition,
    TransitionVisite,
    Visite,
)

__all__ = [
    "Contact",
    "Positionnement",
    "Proposition",
    "TransitionContact",
    "TransitionPositionnement",
    "TransitionProposition",
    "TransitionVisite",
    "Visite",
]
