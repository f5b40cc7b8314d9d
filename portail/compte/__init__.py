"""Compte du demandeur : inscription avec adresse vérifiée, connexion limitée, sans énumération des comptes."""
