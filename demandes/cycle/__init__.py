"""Cycle de vie d'une demande : enregistrer, modifier, renouveler, annuler, réactiver, satisfaire (services, écrans,
API)."""
