"""Dépôt en ligne d'une demande par le demandeur : le Cerfa par étapes, brouillon gardé sur le serveur, pièce
d'identité, puis la file de validation du guichet accompagnateur (``demandes.en_ligne``)."""
