"""Jetons d'API d'un agent : authentification de l'API, écrans de gestion (liste, création, révocation)."""
