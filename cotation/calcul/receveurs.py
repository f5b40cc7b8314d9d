"""Récepteur du signal ``demandes.dossier.signaux.demande_changee`` : la cotation suit la demande (même transaction)."""

from . import services


def recoter(sender, *, demande, dossier=None, neuve=False, motif="", **_kwargs):
    services.recalculer_demande(demande, dossier=dossier, neuve=neuve, motif=motif)
