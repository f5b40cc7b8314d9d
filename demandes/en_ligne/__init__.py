"""Demandes déposées en ligne : dépôt, file des guichets, validation (l'enregistrement) et rejet."""
