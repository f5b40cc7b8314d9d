"""Le cœur du dossier : modèles de la demande et de son ménage, choix du Cerfa, valeurs dérivées, numérotation,
données réglementaires, table des transitions et historique, saisie du dossier. N'importe rien d'autre des demandes."""
