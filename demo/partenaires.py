"""Données de démonstration du socle : partenaires de Loire-Atlantique, guichets
de Nantes Métropole (seed 001 annexe 2) et un compte par rôle.

Idempotent : relancer la commande met à jour sans dupliquer. Jamais en production (``manage.py demo`` le
refuse) ; même en développement, un compte qui existe déjà garde son mot de passe et son second facteur.
"""

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from fdls.comptes.models import Role, Utilisateur
from fdls.organismes.models import Guichet, Organisme
from fdls.territoires.models import Commune

NANTES_METROPOLE = "244400404"
DEPARTEMENT = "44"
MOT_DE_PASSE_DEMO = "demo-fdls-2026"
# Second facteur : une clé TOTP par compte, tirée au hasard à sa création (aucune clé dans le code) ;
# `make code-totp EMAIL=…` affiche le code courant, `manage.py comptes_demo` la clé à saisir dans une application.

BAILLEURS = [
    ("CDC Habitat Social", "CDC Habitat"),
    ("La Nantaise d'Habitations", "LNH"),
    ("Nantes Métropole Habitat", "NMH"),
    ("Aiguillon Construction", "Aiguillon"),
    ("Harmonie Habitat", "Harmonie"),
    ("Atlantique Habitations", "AH"),
    ("Habitat 44", "Habitat 44"),
    ("LogiOuest", "LogiOuest"),
    ("ICF Habitat Atlantique", "ICF"),
    ("Vilogia", "Vilogia"),
    ("CIF Coopérative", "CIF"),
    ("Gambetta Locatif", "Gambetta"),
]

# Seed 001 annexe 2 : lieux d'accueil communaux et type de guichet.
GUICHETS_COMMUNAUX = {
    "Basse-Goulaine": ("accompagnateur", "Mairie"),
    "Bouaye": ("accompagnateur", "Service social, CCAS"),
    "Bouguenais": ("accompagnateur", "CCAS"),
    "Brains": ("relai", "Accueil de la mairie"),
    "Carquefou": ("accompagnateur", "Service logement, CCAS"),
    "Couëron": ("accompagnateur", "CCAS"),
    "Indre": ("relai", "Service logement, CCAS"),
    "La Chapelle-sur-Erdre": ("accompagnateur", "CCAS"),
    "La Montagne": ("accompagnateur", "CCAS"),
    "Le Pellerin": ("accompagnateur", "CCAS"),
    "Les Sorinières": ("relai", "Service logement, CCAS"),
    "Mauves-sur-Loire": ("relai", "CCAS"),
    "Nantes": ("relai", "Service logement"),
    "Orvault": ("accompagnateur", "CCAS"),
    "Rezé": ("accompagnateur", "Service logement"),
    "Saint-Aignan-Grandlieu": ("accompagnateur", "Mairie"),
    "Saint-Herblain": ("accompagnateur", "Service logement, CCAS"),
    "Saint-Jean-de-Boiseau": ("accompagnateur", "Mairie"),
    "Saint-Léger-les-Vignes": ("accompagnateur", "Mairie"),
    "Sainte-Luce-sur-Loire": ("accompagnateur", "CCAS"),
    "Saint-Sébastien-sur-Loire": ("accompagnateur", "CCAS"),
    "Sautron": ("accompagnateur", "CCAS"),
    "Thouaré-sur-Loire": ("relai", "CCAS"),
    "Vertou": ("accompagnateur", "CCAS"),
}
HORAIRES_MAIRIE = "Lundi au vendredi, 9 h – 12 h 30 et 13 h 30 – 17 h"

COMPTES_DEMO = [
    # email, prénom, nom, organisme, rôles, administration Django
    ("guichet@demo.fdls.fr", "Gaëlle", "Guichet", "ADIL 44 – Espace Habitat Social", [Role.AGENT_GUICHET], False),
    ("bailleur@demo.fdls.fr", "Bruno", "Bailleur", "Nantes Métropole Habitat", [Role.INSTRUCTEUR_BAILLEUR], False),
    ("reservataire@demo.fdls.fr", "Rachida", "Réservataire", "DDETS de Loire-Atlantique", [Role.RESERVATAIRE], False),
    ("action-logement@demo.fdls.fr", "Alain", "Collecteur", "Action Logement Services", [Role.RESERVATAIRE], False),
    ("commune@demo.fdls.fr", "Corinne", "Commune", "Ville de Rezé", [Role.AGENT_GUICHET, Role.RESERVATAIRE], False),
    ("observateur@demo.fdls.fr", "Olivier", "Observateur", "Nantes Métropole", [Role.OBSERVATEUR], False),
    ("admin@demo.fdls.fr", "Anne", "Administratrice", "CREHA Ouest", [Role.ADMINISTRATEUR], True),
]


class _Codes:
    """Codes guichet à 5 chiffres, stables d'un chargement à l'autre."""

    def __init__(self):
        self.suivant = 10001

    def prendre(self) -> str:
        code = f"{self.suivant:05d}"
        self.suivant += 1
        return code


def _organisme(nom, type_, *, sigle="", perimetre=None, **extra):
    organisme, _ = Organisme.objects.update_or_create(
        nom=nom, defaults={"type": type_, "sigle": sigle, "departement_id": DEPARTEMENT, **extra}
    )
    if perimetre is not None:
        organisme.perimetre.set(perimetre)
    return organisme


def _guichet(code, nom, type_, organisme, commune, **extra):
    guichet, _ = Guichet.objects.update_or_create(
        code=code,
        defaults={
            "nom": nom,
            "type": type_,
            "organisme": organisme,
            "commune": commune,
            "code_postal": commune.codes_postaux[0] if commune.codes_postaux else "",
            "horaires": HORAIRES_MAIRIE,
            **extra,
        },
    )
    return guichet


@transaction.atomic
def charger_partenaires() -> dict:
    """Organismes, guichets et comptes de démonstration."""
    codes = _Codes()
    departement_44 = list(Commune.objects.filter(departement_id=DEPARTEMENT).values_list("pk", flat=True))
    tout = list(Commune.objects.values_list("pk", flat=True))
    metropole = {c.nom: c for c in Commune.objects.filter(epci_id=NANTES_METROPOLE)}
    nantes = metropole["Nantes"]

    gestionnaire = _organisme("CREHA Ouest", "gestionnaire", sigle="CREHA", perimetre=tout)
    _organisme("DDETS de Loire-Atlantique", "etat", sigle="DDETS 44", perimetre=departement_44)
    _organisme("Département de Loire-Atlantique", "departement", perimetre=departement_44)
    _organisme("SIAO de Loire-Atlantique", "siao", sigle="SIAO 44", perimetre=departement_44)
    _organisme("Nantes Métropole", "epci", sigle="NM", siren=NANTES_METROPOLE, perimetre=metropole.values())
    adil = _organisme("ADIL 44 – Espace Habitat Social", "adil", sigle="ADIL 44", perimetre=metropole.values())
    action_logement = _organisme("Action Logement Services", "action_logement", sigle="ALS", perimetre=departement_44)

    _guichet(
        codes.prendre(),
        "Espace Habitat Social de la Maison de l'Habitant",
        "accompagnateur",
        adil,
        nantes,
        adresse="12 rue Russeil",
        horaires="Lundi au vendredi, 9 h – 17 h (sur rendez-vous le jeudi après-midi)",
    )
    _guichet(
        codes.prendre(),
        "Action Logement Services – agence de Nantes",
        "accompagnateur",
        action_logement,
        nantes,
        public_accueilli="Ménages ALS (relai pour les autres demandeurs)",
    )
    for nom, sigle in BAILLEURS:
        bailleur = _organisme(nom, "bailleur", sigle=sigle, perimetre=departement_44)
        _guichet(
            codes.prendre(),
            f"{nom} – accueil des locataires",
            "accompagnateur",
            bailleur,
            nantes,
            public_accueilli="Locataires du bailleur (relai pour les autres demandeurs)",
        )
    for nom_commune, (type_guichet, service) in GUICHETS_COMMUNAUX.items():
        commune = metropole[nom_commune]
        organisme = _organisme(f"Ville de {nom_commune}", "commune", perimetre=[commune])
        _guichet(codes.prendre(), f"{nom_commune} – {service}", type_guichet, organisme, commune)

    comptes = 0
    for email, prenom, nom, nom_organisme, roles, staff in COMPTES_DEMO:
        organisme = Organisme.objects.get(nom=nom_organisme)
        user, cree = Utilisateur.objects.update_or_create(
            email=email,
            defaults={
                "first_name": prenom,
                "last_name": nom,
                "kind": Utilisateur.Kind.AGENT,
                "organisme": organisme,
                "roles": list(roles),
                "is_staff": staff,
                "guichet": organisme.guichets.order_by("code").first(),
            },
        )
        if cree:
            user.set_password(MOT_DE_PASSE_DEMO)
            user.save(update_fields=["password"])
        if not TOTPDevice.objects.filter(user=user).exists():
            # Clé aléatoire (django_otp.util.random_hex, 20 octets) : propre au compte et à cette base.
            TOTPDevice.objects.create(user=user, name="Démonstration", confirmed=True)
        comptes += 1
    demandeur, cree = Utilisateur.objects.update_or_create(
        email="demandeur@demo.fdls.fr",
        defaults={"first_name": "Dominique", "last_name": "Demandeur", "kind": Utilisateur.Kind.DEMANDEUR},
    )
    if cree:
        demandeur.set_password(MOT_DE_PASSE_DEMO)
        demandeur.save(update_fields=["password"])
    return {
        "organismes": Organisme.objects.count(),
        "guichets": Guichet.objects.count(),
        "comptes": comptes + 1,
        "gestionnaire": gestionnaire.nom,
    }
