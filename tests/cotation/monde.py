"""Le territoire des tests de la cotation : celui des labels (Nantes et Rezé dans Nantes Métropole, Ancenis
hors de toute grille) et la grille de Nantes Métropole installée en vigueur."""

from __future__ import annotations

from cotation.grilles.grille_nantes import GRILLE_NANTES_METROPOLE
from cotation.grilles.services import installer_grille
from demandes.cycle import services
from tests.demandes.dossiers import dossier
from tests.demandes.monde_labels import construire_monde


def monde_cotation():
    m = construire_monde()
    m.grille = installer_grille(GRILLE_NANTES_METROPOLE, m.nantes.epci_id)
    m.auteur = services.Auteur.agent(m.agent_ehs)
    return m


def enregistrer(m, *, communes=None, date_depot=None, **champs):
    """Une demande enregistrée par les services (guichet de l'Espace Habitat Social)."""
    return services.enregistrer_demande(
        dossier(communes=communes or [m.reze], **champs),
        auteur=m.auteur,
        guichet=m.guichet_ehs,
        date_depot=date_depot,
    )
