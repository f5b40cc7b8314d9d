"""Liste des demandes : recherche sur la table étroite, filtres, exports, écran et API de la liste."""
