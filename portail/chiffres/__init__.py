"""Chiffres clés publics d'une commune ou d'un EPCI (seed 000) : demandes en cours, attributions de l'année
écoulée, pression, délai moyen, parc par typologie ; photo mensuelle, secret statistique."""
