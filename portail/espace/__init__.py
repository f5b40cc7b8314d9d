"""Espace personnel du demandeur : ses demandes, l'accueil d'une demande, le dossier déclaré (modifier,
renouveler), l'historique, les documents, les éditions PDF, les consultations de son dossier."""
