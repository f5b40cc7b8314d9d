"""Éditions PDF d'une demande : fiche de synthèse et attestation d'enregistrement (WeasyPrint)."""
