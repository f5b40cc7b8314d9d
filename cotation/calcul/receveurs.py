"""Récepteur du signal ``demandes.signaux.demande_changee`` : la cotation suit la demande, dans sa transaction."""

from . import services


def recoter(sender, *, demande, dossier=None, neuve=False, motif="", **_kwargs):
    services.recalculer_demande(demande, dossier=dossier, neuve=neuve, motif=motif)
