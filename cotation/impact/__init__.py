"""Études d'impact d'un projet de grille sur le fichier courant (lecture seule)."""
