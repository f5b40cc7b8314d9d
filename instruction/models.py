"""Les modèles de l'application ``instruction``, réunis pour Django (chaque modèle vit dans sa fonctionnalité)."""

from instruction.commissions.models import (
    Bail,
    Candidature,
    Commission,
    Examen,
    JournalVote,
    Membre,
    ObjectifFlux,
    Seance,
    TransitionCandidature,
    TransitionSeance,
    Vote,
)
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
from instruction.rapprochement.models import LigneCandidat

__all__ = [
    "Bail",
    "Candidature",
    "Commission",
    "Examen",
    "JournalVote",
    "Membre",
    "ObjectifFlux",
    "Seance",
    "TransitionCandidature",
    "TransitionSeance",
    "Vote",
    "Contact",
    "LigneCandidat",
    "Positionnement",
    "Proposition",
    "TransitionContact",
    "TransitionPositionnement",
    "TransitionProposition",
    "TransitionVisite",
    "Visite",
]
