"""Fabriques factory_boy partagées par la suite de tests."""

import base64
import datetime
import itertools

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from demandes.models import Demande, LocalisationSouhaitee, Personne
from fdls.comptes.models import Role, Utilisateur
from fdls.organismes.models import Guichet, Organisme
from fdls.territoires.models import Commune, Departement, Epci

MOT_DE_PASSE = "mot-de-passe-de-test-42"
CLE_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

_codes_guichet = itertools.count(20001)


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = "44"
    nom = "Loire-Atlantique"
    region = "52"


class EpciFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Epci
        django_get_or_create = ("siren",)

    siren = factory.Sequence(lambda n: f"2{n:08d}")
    nom = factory.Sequence(lambda n: f"CC de test {n}")
    type = Epci.Type.CC


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("code_insee",)

    # 90000–96999 : aucun code réel de Bretagne ou des Pays de la Loire (ni des DOM, 97xxx).
    code_insee = factory.Sequence(lambda n: f"9{n % 7000:04d}")
    nom = factory.Sequence(lambda n: f"Commune {n}")
    departement = factory.SubFactory(DepartementFactory)
    epci = factory.SubFactory(EpciFactory)
    codes_postaux = factory.LazyFunction(lambda: ["44000"])
    population = 1000


class OrganismeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisme
        skip_postgeneration_save = True

    nom = factory.Sequence(lambda n: f"Organisme {n}")
    type = Organisme.Type.BAILLEUR
    departement = factory.SubFactory(DepartementFactory)

    @factory.post_generation
    def perimetre(self, create, extracted, **kwargs):
        if create and extracted:
            self.perimetre.set(extracted)

    class Params:
        gestionnaire = factory.Trait(type=Organisme.Type.GESTIONNAIRE)
        commune = factory.Trait(type=Organisme.Type.COMMUNE)
        etat = factory.Trait(type=Organisme.Type.ETAT)


class GuichetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guichet

    code = factory.LazyFunction(lambda: f"{next(_codes_guichet):05d}")
    nom = factory.Sequence(lambda n: f"Guichet {n}")
    type = Guichet.Type.ACCOMPAGNATEUR
    organisme = factory.SubFactory(OrganismeFactory)
    commune = factory.SubFactory(CommuneFactory)

    class Params:
        relai = factory.Trait(type=Guichet.Type.RELAI)


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Utilisateur
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@test.fdls.fr")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Agent{n}")
    kind = Utilisateur.Kind.AGENT
    organisme = factory.SubFactory(OrganismeFactory)
    roles = factory.LazyFunction(lambda: [Role.AGENT_GUICHET])
    password = factory.django.Password(MOT_DE_PASSE)

    class Params:
        guichet_role = factory.Trait(roles=[Role.AGENT_GUICHET])
        bailleur = factory.Trait(roles=[Role.INSTRUCTEUR_BAILLEUR])
        reservataire = factory.Trait(roles=[Role.RESERVATAIRE])
        observateur = factory.Trait(roles=[Role.OBSERVATEUR])
        administrateur = factory.Trait(
            roles=[Role.ADMINISTRATEUR], organisme=factory.SubFactory(OrganismeFactory, gestionnaire=True)
        )
        avec_totp = factory.Trait(
            totp=factory.RelatedFactory("tests.factories.TOTPDeviceFactory", factory_related_name="user")
        )


class DemandeurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Utilisateur

    email = factory.Sequence(lambda n: f"demandeur{n}@exemple.fr")
    first_name = "Dominique"
    last_name = factory.Sequence(lambda n: f"Demandeur{n}")
    kind = Utilisateur.Kind.DEMANDEUR
    organisme = None
    roles = factory.LazyFunction(list)
    password = factory.django.Password(MOT_DE_PASSE)


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(AgentFactory)
    name = "Téléphone"
    key = base64.b32decode(CLE_TOTP).hex()
    confirmed = True


class DemandeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Demande
        skip_postgeneration_save = True

    guichet = factory.SubFactory(GuichetFactory)
    departement = factory.LazyAttribute(lambda d: d.guichet.commune.departement)
    etat = Demande.Etat.ACTIVE
    numero_unique = factory.Sequence(lambda n: f"0441126{n:06d}{20001:05d}")
    nom = factory.Sequence(lambda n: f"Nom{n}")
    prenom = "Claude"
    date_naissance = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)

    date_depot = factory.LazyFunction(lambda: datetime.date.today())
    typologies = factory.LazyFunction(lambda: ["T3"])
    statut_occupation = "locataire_prive"

    @factory.post_generation
    def communes(self, create, extracted, **kwargs):
        """``DemandeFactory(communes=[c1, c2])`` : localisations souhaitées ordonnées."""
        if create and extracted:
            for rang, commune in enumerate(extracted, start=1):
                LocalisationSouhaitee.objects.create(
                    demande=self, rang=rang, commune=commune, date_anciennete=self.date_depot
                )

    @factory.post_generation
    def menage(self, create, extracted, **kwargs):
        """Le demandeur (copie de l'identité de la demande) et ses clés de doublons."""
        if not create:
            return
        from demandes.dossier.saisie import mettre_a_jour_cles

        demandeur = Personne.objects.create(
            demande=self,
            role="demandeur",
            nom=self.nom,
            prenom=self.prenom,
            date_naissance=self.date_naissance,
            nationalite="francaise",
        )
        mettre_a_jour_cles(self, [demandeur])


def code_totp(cle_base32: str = CLE_TOTP) -> str:
    """Code TOTP courant (RFC 6238, 30 s, 6 chiffres) pour les tests."""
    import hashlib
    import hmac
    import struct
    import time

    cle = base64.b32decode(cle_base32)
    compteur = struct.pack(">Q", int(time.time()) // 30)
    empreinte = hmac.new(cle, compteur, hashlib.sha1).digest()
    decalage = empreinte[-1] & 0x0F
    valeur = struct.unpack(">I", empreinte[decalage : decalage + 4])[0] & 0x7FFFFFFF
    return f"{valeur % 1_000_000:06d}"
