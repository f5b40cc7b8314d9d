"""Fabriques du parc : programmes, logements, vacances, agents de bailleur."""

from decimal import Decimal

import factory

from fdls.comptes.models import Role
from fdls.organismes.models import Organisme
from fdls.territoires.models import Quartier
from offre.models import ETATS_OUVERTS, Disponibilite, EtatDisponibilite, Logement, Programme
from tests.factories import AgentFactory, CommuneFactory, OrganismeFactory


class BailleurFactory(OrganismeFactory):
    type = Organisme.Type.BAILLEUR
    nom = factory.Sequence(lambda n: f"Bailleur {n}")


class QuartierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quartier

    commune = factory.SubFactory(CommuneFactory)
    nom = factory.Sequence(lambda n: f"Quartier {n}")
    qpv = True


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    bailleur = factory.SubFactory(BailleurFactory)
    code = factory.Sequence(lambda n: f"{n + 1:04d}")
    nom = factory.Sequence(lambda n: f"RÉSIDENCE {n}")
    adresse = "2 rue d'Allonville"
    commune = factory.SubFactory(CommuneFactory)
    departement = factory.LazyAttribute(lambda p: p.commune.departement)
    quartier = None
    qpv = factory.LazyAttribute(lambda p: bool(p.quartier and p.quartier.qpv))
    annee_construction = 1998
    financement = "PLUS"


class LogementFactory(factory.django.DjangoModelFactory):
    """Logement dont la localisation est copiée du programme, comme le font les services."""

    class Meta:
        model = Logement

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"{n + 1:04d}")
    bailleur = factory.LazyAttribute(lambda lg: lg.programme.bailleur)
    commune = factory.LazyAttribute(lambda lg: lg.programme.commune)
    departement = factory.LazyAttribute(lambda lg: lg.programme.departement)
    quartier = factory.LazyAttribute(lambda lg: lg.programme.quartier)
    qpv = factory.LazyAttribute(lambda lg: lg.programme.qpv)
    typologie = "T3"
    categorie = "appartement"
    surface = Decimal("66.0")
    etage = 2
    ascenseur = True
    loyer = Decimal("412.30")
    charges = Decimal("85.00")
    financement = "PLUS"


class DisponibiliteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disponibilite
        skip_postgeneration_save = True

    logement = factory.SubFactory(LogementFactory)
    date_disponibilite = factory.Faker("date_between", start_date="-10d", end_date="+30d")
    motif = Disponibilite.Motif.RELOCATION
    etat = EtatDisponibilite.A_POURVOIR

    @factory.post_generation
    def recopier_vacance(self, create, extracted, **kwargs):
        """Comme les services : l'état d'une vacance ouverte est recopié sur le logement."""
        if create and self.etat in ETATS_OUVERTS:
            Logement.objects.filter(pk=self.logement_id).update(vacance=self.etat)


def agent_bailleur(bailleur=None, **kwargs):
    """Instructeur d'un bailleur habilité sur les communes données (``perimetre``)."""
    bailleur = bailleur or BailleurFactory(perimetre=kwargs.pop("perimetre", None))
    return AgentFactory(organisme=bailleur, roles=[Role.INSTRUCTEUR_BAILLEUR], **kwargs)
