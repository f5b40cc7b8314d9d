"""Pièces justificatives : dépôt contrôlé, stockage hors de la racine web, obsolescence, écrans, API."""
