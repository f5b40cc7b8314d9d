"""Modèles de l'instruction, réunis pour Django (chaque fonctionnalité a les siens dans son dossier)."""

from instruction.rapprochement.models import LigneCandidat

__all__ = ["LigneCandidat"]
