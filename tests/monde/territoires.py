"""Les territoires des tests, construits en un seul endroit.

``ville_de_reze()`` : le petit territoire de la plupart des tests des écrans
et de l'API (une commune, son guichet, un agent ; Nantes ailleurs).

``territoire_nantes()`` : Nantes et Rezé (Nantes Métropole, seuil du 1er
quartile 10 000 €/UC), une commune hors métropole (Ancenis, COMPA, sans
seuil) ; la DDETS, Action Logement, la Ville de Rezé (contingent « Mairie de
Rezé »), un bailleur, l'Espace Habitat Social (ADIL, guichet accompagnateur
qui reçoit les demandes en ligne) et un organisme hors territoire (Brest),
un agent de chacun. Avec ``grille=True``, la grille de cotation de Nantes
Métropole en vigueur ; avec ``administrateurs=True``, les organismes qui
gèrent les grilles (Nantes Métropole et la COMPA, de type EPCI, et le
gestionnaire du fichier) et leurs agents : administrateurs, agent non
administrateur de Nantes Métropole, observateur. Les types de labels et les
paramètres réglementaires viennent des migrations de données (remis par
``tests/conftest.py`` si un test transactionnel a vidé les tables).

``loire_atlantique_de_demonstration()`` : le référentiel des communes et les
partenaires de la démonstration, sur lesquels tourne le générateur.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from cotation.grilles.grille_nantes import GRILLE_NANTES_METROPOLE
from cotation.grilles.services import installer_grille
from demandes.cycle import services
from demandes.labels import services as labels
from demandes.models import SeuilPremierQuartile, TypeLabel
from demo import partenaires as socle_demo
from fdls.comptes.models import Role
from fdls.organismes.models import Organisme
from fdls.territoires.services import charger_referentiel
from tests.monde.factories import (
    AgentFactory,
    CommuneFactory,
    DepartementFactory,
    EpciFactory,
    GuichetFactory,
    OrganismeFactory,
)


def ville_de_reze(
    *,
    nom_organisme: str = "Ville de Rezé",
    type_organisme: str = Organisme.Type.COMMUNE,
    habilitee_sur_nantes: bool = False,
    **agent,
) -> SimpleNamespace:
    """La Ville de Rezé, habilitée sur Rezé (et Nantes si demandé), son guichet accompagnateur « 10865 » à
    l'hôtel de ville et un agent de guichet (``**agent`` : champs de l'agent) ; Nantes, même département."""
    reze = CommuneFactory(code_insee="44143", nom="Rezé", codes_postaux=["44400"])
    nantes = CommuneFactory(code_insee="44109", nom="Nantes")
    organisme = OrganismeFactory(
        nom=nom_organisme, type=type_organisme, perimetre=[reze, nantes] if habilitee_sur_nantes else [reze]
    )
    guichet = GuichetFactory(
        organisme=organisme,
        commune=reze,
        code="10865",
        nom="Guichet de Rezé",
        adresse="Hôtel de ville, place Jean-Baptiste Daviais",
        code_postal="44400",
    )
    return SimpleNamespace(
        reze=reze, nantes=nantes, organisme=organisme, guichet=guichet, agent=AgentFactory(organisme=organisme, **agent)
    )


def territoire_nantes(*, grille: bool = False, administrateurs: bool = False) -> SimpleNamespace:
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
    m.auteur = services.Auteur.agent(m.agent_ehs)
    if grille:
        m.grille = installer_grille(GRILLE_NANTES_METROPOLE, metropole.pk)
    if administrateurs:
        _ajouter_administrations(m)
    return m


def _ajouter_administrations(m: SimpleNamespace) -> None:
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


def loire_atlantique_de_demonstration() -> None:
    """Référentiel des communes et partenaires de la démonstration (le générateur en a besoin)."""
    charger_referentiel()
    socle_demo.charger_partenaires()
