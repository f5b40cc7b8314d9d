"""Rattacher à son compte une demande enregistrée à un guichet : numéro unique, date de naissance, code à usage
unique envoyé aux coordonnées du dossier (courriel ou courrier)."""
