"""Le territoire des tests des écrans et de l'API de la cotation.

Celui des labels (Nantes et Rezé dans Nantes Métropole, Ancenis dans la
COMPA, sans grille) avec la grille de Nantes Métropole en vigueur, et un
agent par rôle : guichet (Espace Habitat Social), bailleur, réservataire
(DDETS), administrateur de Nantes Métropole (organisme de type EPCI),
administrateur de la COMPA, administrateur du gestionnaire du fichier, agent
non administrateur de Nantes Métropole, observateur, agent hors territoire.
"""

from __future__ import annotations

import datetime

from cotation.grilles.grille_nantes import GRILLE_NANTES_METROPOLE
from cotation.grilles.services import installer_grille
from demandes.cycle import services
from demandes.labels import services as labels
from demandes.models import TypeLabel
from fdls.comptes.models import Role
from fdls.organismes.models import Organisme
from tests.demandes.dossiers import dossier
from tests.demandes.monde_labels import construire_monde
from tests.factories import AgentFactory, OrganismeFactory


def monde_ecrans():
    m = construire_monde()
    m.grille = installer_grille(GRILLE_NANTES_METROPOLE, m.nantes.epci_id)
    metropole = [m.nantes, m.reze]
    m.nm = OrganismeFactory(nom="Nantes Métropole", type=Organisme.Type.EPCI, siren="244400404", perimetre=metropole)
    m.compa = OrganismeFactory(nom="COMPA", type=Organisme.Type.EPCI, siren="200072726", perimetre=[m.ancenis])
    m.gestionnaire = OrganismeFactory(
        nom="CREHA Ouest", type=Organisme.Type.GESTIONNAIRE, perimetre=[m.nantes, m.reze, m.ancenis]
    )
    m.admin_epci = AgentFactory(organisme=m.nm, roles=[Role.ADMINISTRATEUR], email="admin-nm@test.fdls.fr")
    m.admin_compa = AgentFactory(organisme=m.compa, roles=[Role.ADMINISTRATEUR], email="admin-compa@test.fdls.fr")
    m.admin_fichier = AgentFactory(
        organisme=m.gestionnaire, roles=[Role.ADMINISTRATEUR], email="admin-fichier@test.fdls.fr"
    )
    m.agent_nm = AgentFactory(organisme=m.nm, roles=[Role.AGENT_GUICHET, Role.RESERVATAIRE])
    m.observateur = AgentFactory(organisme=m.nm, roles=[Role.OBSERVATEUR])
    m.auteur = services.Auteur.agent(m.agent_ehs)
    return m


def enregistrer(m, *, communes=None, anciennete_jours=0, **champs):
    """Une demande active enregistrée par le guichet de l'Espace Habitat Social (services réels : cotée)."""
    depot = datetime.date.today() - datetime.timedelta(days=anciennete_jours) if anciennete_jours else None
    return services.enregistrer_demande(
        dossier(communes=communes or [m.reze], **champs), auteur=m.auteur, guichet=m.guichet_ehs, date_depot=depot
    )


def demande_avec_exclusion(m):
    """Hébergée chez ses parents (+10), mais sans logement pour l'État (+15) : l'hébergement ne compte pas ;
    déposée il y a 400 jours (ancienneté : +5 jusqu'aux 18 mois)."""
    demande = enregistrer(m, communes=[m.nantes], statut_occupation="heberge_famille", anciennete_jours=400)
    labels.poser_label(demande, TypeLabel.objects.get(code="cp-sans-logement"), user=m.agent_ddets)
    return demande
