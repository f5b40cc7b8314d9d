"""Fabriques factory_boy de toute la suite : territoire, organismes, comptes, demandes, parc.

Une demande de ``DemandeFactory`` est, par défaut, enregistrée : elle porte ce
qu'écrit ``services.enregistrer_demande`` (numéro unique tiré du compteur du
guichet, référence tirée du compteur du mois, dates de dépôt et d'expiration,
organisme de saisie, ménage et clés de doublons, événement d'enregistrement).
Elle n'est pas écrite par le service lui-même, parce que le service fait
aussi la recherche des doublons, les labels automatiques et la cotation à
chaque enregistrement : les tests qui sèment des doublons pour la détection
de nuit, ceux qui choisissent le numéro unique ou la date de dépôt affichés,
et les listes de dizaines de lignes en dépendent. Un test qui veut ces effets
enregistre par les services (``tests.monde.dossiers.enregistrer``).

Traits (``DemandeFactory(annulee=True)``) : ``brouillon`` et ``en_ligne``
(à valider, sans numéro, avec la pièce d'identité du demandeur sauf
``depot_en_ligne__piece_identite=False``) ; ``annulee`` et ``satisfaite``, qui passent par les
services de transition à partir de la demande enregistrée ;
``avec_co_demandeur``.
"""

import base64
import datetime
import hashlib
import hmac
import itertools
import struct
import time
from decimal import Decimal

import factory
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from demandes.cycle import services
from demandes.dossier import choix, saisie
from demandes.dossier.numerotation import attribuer_numero_unique
from demandes.en_ligne import services as en_ligne
from demandes.models import CompteurReference, Demande, Evenement, LocalisationSouhaitee, Personne
from demandes.pieces import services as pieces
from fdls.comptes.models import Role, Utilisateur
from fdls.organismes.models import Guichet, Organisme
from fdls.territoires.models import Commune, Departement, Epci, Quartier
from offre.models import ETATS_OUVERTS, Disponibilite, EtatDisponibilite, Logement, Programme
from tests.monde import fichiers

MOT_DE_PASSE = "mot-de-passe-de-test-42"
CLE_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# Codes des guichets des fabriques : au-delà de ceux que les tests posent à la main (10001 à 40001).
_codes_guichet = itertools.count(60001)


def code_totp(cle_base32: str = CLE_TOTP) -> str:
    """Code TOTP courant (RFC 6238, 30 s, 6 chiffres) pour les tests."""
    cle = base64.b32decode(cle_base32)
    compteur = struct.pack(">Q", int(time.time()) // 30)
    empreinte = hmac.new(cle, compteur, hashlib.sha1).digest()
    decalage = empreinte[-1] & 0x0F
    valeur = struct.unpack(">I", empreinte[decalage : decalage + 4])[0] & 0x7FFFFFFF
    return f"{valeur % 1_000_000:06d}"


# ---------------------------------------------------------------- territoire


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


class QuartierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quartier

    commune = factory.SubFactory(CommuneFactory)
    nom = factory.Sequence(lambda n: f"Quartier {n}")
    qpv = True


# ---------------------------------------------------------------- organismes et comptes


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


class BailleurFactory(OrganismeFactory):
    type = Organisme.Type.BAILLEUR
    nom = factory.Sequence(lambda n: f"Bailleur {n}")


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
            totp=factory.RelatedFactory("tests.monde.factories.TOTPDeviceFactory", factory_related_name="user")
        )


def agent_bailleur(bailleur=None, **kwargs):
    """Instructeur d'un bailleur habilité sur les communes données (``perimetre``)."""
    bailleur = bailleur or BailleurFactory(perimetre=kwargs.pop("perimetre", None))
    return AgentFactory(organisme=bailleur, roles=[Role.INSTRUCTEUR_BAILLEUR], **kwargs)


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
    # Adresse vérifiée (inscription par le portail) ; ``email_verifie_le=None`` : compte pas encore confirmé.
    email_verifie_le = factory.LazyFunction(timezone.now)


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(AgentFactory)
    name = "Téléphone"
    key = base64.b32decode(CLE_TOTP).hex()
    confirmed = True


# ---------------------------------------------------------------- demandes


def _auteur_du_guichet(demande: Demande) -> services.Auteur:
    """L'organisme du guichet, auteur des événements écrits par la fabrique (aucun agent nommé)."""
    organisme = demande.guichet.organisme
    return services.Auteur(libelle=organisme.nom[:150], organisme=organisme)


def _tirer_reference(date_depot: datetime.date) -> str:
    """Référence suivante du mois, tirée du compteur des services : une demande de la fabrique et une
    demande enregistrée par les services dans le même test ne se disputent jamais une référence."""
    periode = f"{date_depot:%Y%m}"
    CompteurReference.objects.get_or_create(periode=periode)
    CompteurReference.objects.filter(periode=periode).update(dernier=F("dernier") + 1)
    return f"{periode}{CompteurReference.objects.get(periode=periode).dernier:04d}"


def _date_expiration(date_depot: datetime.date) -> datetime.date:
    """Comme les services : dépôt + durée de validité en vigueur au dépôt ; pour un dépôt antérieur au premier
    paramètre daté (migration 0005), la durée d'aujourd'hui (les services refuseraient ce dépôt)."""
    try:
        return services.date_expiration(date_depot)
    except ValidationError:
        return date_depot + relativedelta(months=services.parametre("validite_demande"))


def _annuler(demande, create, extracted, **kwargs):
    if create:
        services.annuler_demande(demande, motif=demande.motif_annulation, auteur=_auteur_du_guichet(demande))
        demande.refresh_from_db()


def _satisfaire(demande, create, extracted, **kwargs):
    if create:
        services.satisfaire_demande(demande, auteur=_auteur_du_guichet(demande), le=demande.date_fin)
        demande.refresh_from_db()


def joindre_identite(demande) -> None:
    """Joint la pièce d'identité du demandeur au dossier s'il n'en a pas (service des pièces)."""
    if not pieces.a_piece_identite(demande):
        pieces.joindre_piece(
            demande=demande,
            type=choix.TypePiece.IDENTITE,
            fichier=fichiers.piece_identite(),
            auteur=_auteur_du_guichet(demande),
            type_contenu="application/pdf",
        )


def _deposer_en_ligne(demande, create, extracted, **kwargs):
    """Le brouillon devient une demande à valider par le service du dépôt en ligne (guichet de la demande) ;
    sans commune souhaitée, celle du guichet (un dossier complet en demande une au moins)."""
    if create:
        if not demande.localisations.exists():
            LocalisationSouhaitee.objects.create(demande=demande, rang=1, commune=demande.guichet.commune)
        en_ligne.deposer_en_ligne(
            services.charger_dossier(demande),
            auteur=services.Auteur(libelle="Le demandeur (dépôt en ligne)"),
            guichet=demande.guichet,
            le=kwargs.get("le"),
        )
        demande.refresh_from_db()
        if kwargs.get("piece_identite", True):
            joindre_identite(demande)


def _ajouter_co_demandeur(demande, create, extracted, **identite):
    """``DemandeFactory(avec_co_demandeur=True, co_demandeur__nom="…")`` : le co-demandeur et les clés du ménage."""
    if not create:
        return
    valeurs = {"nom": demande.nom, "prenom": "Alex", "date_naissance": datetime.date(1980, 1, 1)}
    valeurs.update(identite)
    Personne.objects.create(
        demande=demande,
        role=choix.Role.CODEMANDEUR,
        rang=1,
        nationalite="francaise",
        lien_parente="conjoint",
        **valeurs,
    )
    saisie.mettre_a_jour_cles(demande, list(demande.personnes.all()))


class DemandeFactory(factory.django.DjangoModelFactory):
    """Demande enregistrée (active) par défaut ; voir le module pour les traits et le choix des écritures."""

    class Meta:
        model = Demande
        skip_postgeneration_save = True

    guichet = factory.SubFactory(GuichetFactory)
    departement = factory.LazyAttribute(lambda d: d.guichet.commune.departement)
    organisme_saisie = factory.LazyAttribute(lambda d: d.guichet.organisme)
    etat = Demande.Etat.ACTIVE
    canal = choix.Canal.GUICHET
    nom = factory.Sequence(lambda n: f"Nom{n}")
    prenom = "Claude"
    date_naissance = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)

    date_depot = factory.LazyFunction(timezone.localdate)  # la date du jour des services (Europe/Paris)
    numero_unique = factory.LazyAttribute(
        lambda d: attribuer_numero_unique(departement=d.departement.pk, guichet=d.guichet.code, date_depot=d.date_depot)
    )
    reference = factory.LazyAttribute(lambda d: _tirer_reference(d.date_depot))
    date_expiration = factory.LazyAttribute(lambda d: _date_expiration(d.date_depot))
    typologies = factory.LazyFunction(lambda: ["T3"])
    statut_occupation = "locataire_prive"
    motifs = factory.LazyFunction(lambda: ["trop_cher"])

    class Params:
        brouillon = factory.Trait(
            etat=Demande.Etat.BROUILLON, numero_unique=None, reference=None, date_depot=None, date_expiration=None
        )
        # Déposée en ligne, à valider par le guichet (sans numéro) : le brouillon passe par le service du dépôt.
        en_ligne = factory.Trait(brouillon=True, depot_en_ligne=factory.PostGeneration(_deposer_en_ligne))
        annulee = factory.Trait(
            motif_annulation=choix.MotifAnnulation.RENONCIATION, transition=factory.PostGeneration(_annuler)
        )
        satisfaite = factory.Trait(transition=factory.PostGeneration(_satisfaire))
        avec_co_demandeur = factory.Trait(nb_personnes=2, co_demandeur=factory.PostGeneration(_ajouter_co_demandeur))

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
        """Le demandeur (copie de l'identité de la demande) et ses clés de doublons ; ``menage__sexe``,
        ``menage__civilite``, ``menage__nom_naissance`` complètent son identité."""
        if not create:
            return
        demandeur = Personne.objects.create(
            demande=self,
            role=choix.Role.DEMANDEUR,
            nom=self.nom,
            prenom=self.prenom,
            date_naissance=self.date_naissance,
            nationalite="francaise",
            **{k: v for k, v in kwargs.items() if k in ("sexe", "civilite", "nom_naissance")},
        )
        saisie.mettre_a_jour_cles(self, [demandeur])

    @factory.post_generation
    def historique(self, create, extracted, **kwargs):
        """L'événement d'enregistrement d'une demande numérotée, tel que l'écrit ``enregistrer_demande``."""
        if not create or not self.numero_unique:
            return
        services.ecrire_evenement(
            self,
            Evenement.Type.ENREGISTREMENT,
            _auteur_du_guichet(self),
            precisions=f"Numéro unique {self.numero_unique_affiche} – guichet {self.guichet.nom}",
            details={"numero_unique": self.numero_unique, "guichet": self.guichet.code, "reference": self.reference},
            etat_avant=Demande.Etat.BROUILLON,
            etat_apres=Demande.Etat.ACTIVE,
        )

    @factory.post_generation
    def piece_identite(self, create, extracted, **kwargs):
        """``DemandeFactory(piece_identite=True)`` : la pièce d'identité du demandeur (obligatoire à
        l'enregistrement, seed 001 §2) jointe par le service des pièces. Pas par défaut : comme les labels et
        la cotation, la factory n'écrit que ce que le test demande (des tests comptent les fichiers du
        stockage) ; une demande déposée en ligne (``en_ligne``) l'a toujours, pour pouvoir être validée."""
        if create and extracted:
            joindre_identite(self)


# ---------------------------------------------------------------- parc


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
