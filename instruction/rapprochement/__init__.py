"""Rapprochement : d'une vacance à ses candidats (recherche, motifs d'exclusion)."""
