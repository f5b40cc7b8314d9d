"""Un petit territoire pour les tests des labels et des demandes en ligne.

Nantes et Rezé (Nantes Métropole, seuil du 1er quartile 10 000 €/UC), une
commune hors métropole (Ancenis, sans seuil) ; la DDETS, Action Logement,
la Ville de Rezé (contingent « Mairie de Rezé »), un bailleur, l'Espace
Habitat Social (ADIL, guichet accompagnateur qui reçoit les demandes en ligne)
et un guichet hors territoire. Les types de labels viennent de la migration
de données (rechargée si un test « transaction=True » a vidé les tables).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from importlib import import_module
from types import SimpleNamespace

from django.apps import apps

from demandes.cycle import services
from demandes.labels import services as labels
from demandes.models import ParametreReglementaire, SeuilPremierQuartile, TypeLabel
from fdls.comptes.models import Role
from fdls.organismes.models import Organisme
from tests.demandes.dossiers import dossier
from tests.factories import (
    AgentFactory,
    CommuneFactory,
    DepartementFactory,
    EpciFactory,
    GuichetFactory,
    OrganismeFactory,
)


def referentiels() -> None:
    if not ParametreReglementaire.objects.exists():
        import_module("demandes.migrations.0005_parametres_reglementaires").creer(apps, None)
    if not TypeLabel.objects.filter(code="cp-dalo").exists():
        import_module("demandes.migrations.0012_referentiel_labels").creer(apps, None)


def construire_monde() -> SimpleNamespace:
    referentiels()
    dep = DepartementFactory(code="44", nom="Loire-Atlantique")
    metropole = EpciFactory(siren="244400404", nom="Nantes Métropole")
    autre_epci = EpciFactory(siren="200072726", nom="COMPA")
    nantes = CommuneFactory(code_insee="44109", nom="Nantes", departement=dep, epci=metropole)
    reze = CommuneFactory(code_insee="44143", nom="Rezé", departement=dep, epci=metropole)
    ancenis = CommuneFactory(code_insee="44003", nom="Ancenis-Saint-Géréon", departement=dep, epci=autre_epci)
    SeuilPremierQuartile.objects.create(epci=metropole, annee=2020, montant=Decimal("10000"), source="test")
    communes = [nantes, reze, ancenis]

    ddets = OrganismeFactory(nom="DDETS de Loire-Atlantique", type=Organisme.Type.ETAT, perimetre=communes)
    als = OrganismeFactory(nom="Action Logement Services", type=Organisme.Type.ACTION_LOGEMENT, perimetre=communes)
    ville_reze = OrganismeFactory(nom="Ville de Rezé", type=Organisme.Type.COMMUNE, perimetre=[reze])
    bailleur = OrganismeFactory(nom="Nantes Métropole Habitat", type=Organisme.Type.BAILLEUR, perimetre=communes)
    ehs = OrganismeFactory(nom="ADIL 44 – Espace Habitat Social", type=Organisme.Type.ADIL, perimetre=[nantes, reze])
    lointain = OrganismeFactory(nom="Ville de Brest", type=Organisme.Type.COMMUNE)
    guichet_ehs = GuichetFactory(code="10001", nom="Espace Habitat Social", organisme=ehs, commune=nantes)
    guichet_reze = GuichetFactory(code="10865", nom="Guichet de Rezé", organisme=ville_reze, commune=reze)
    labels.creer_contingents_communaux([ville_reze])

    m = SimpleNamespace(
        dep=dep,
        nantes=nantes,
        reze=reze,
        ancenis=ancenis,
        ddets=ddets,
        als=als,
        ville_reze=ville_reze,
        bailleur=bailleur,
        ehs=ehs,
        guichet_ehs=guichet_ehs,
        guichet_reze=guichet_reze,
        agent_ddets=AgentFactory(organisme=ddets, roles=[Role.RESERVATAIRE], email="ddets@test.fdls.fr"),
        agent_als=AgentFactory(organisme=als, roles=[Role.RESERVATAIRE], email="als@test.fdls.fr"),
        agent_reze=AgentFactory(
            organisme=ville_reze, roles=[Role.AGENT_GUICHET, Role.RESERVATAIRE], email="reze@test.fdls.fr"
        ),
        agent_bailleur=AgentFactory(organisme=bailleur, roles=[Role.INSTRUCTEUR_BAILLEUR]),
        agent_ehs=AgentFactory(organisme=ehs, roles=[Role.AGENT_GUICHET], email="ehs@test.fdls.fr"),
        agent_lointain=AgentFactory(organisme=lointain, roles=[Role.AGENT_GUICHET, Role.RESERVATAIRE]),
        cp_dalo=TypeLabel.objects.get(code="cp-dalo"),
        als_type=TypeLabel.objects.get(code="eligibilite-als"),
        quartile=TypeLabel.objects.get(code="cp-premier-quartile"),
        mairie_reze=TypeLabel.objects.get(organisme_proprietaire=ville_reze),
    )
    GuichetFactory(code="20002", organisme=lointain)
    return m


def enregistrer(m, *, communes=None, **kwargs):
    """Une demande active enregistrée par le guichet de l'Espace Habitat Social (services réels)."""
    return services.enregistrer_demande(
        dossier(communes=communes or [m.reze], **kwargs),
        auteur=services.Auteur.agent(m.agent_ehs),
        guichet=m.guichet_ehs,
    )


NAISSANCE = datetime.date(1985, 4, 12)
