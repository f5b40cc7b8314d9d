"""Gestion des partenaires : organismes, guichets et comptes des agents.

Réservé à l'administration du fichier (``fdls.acces.administre``) : chaque
service le vérifie lui-même, quel que soit l'écran ou l'API qui l'appelle.
"""

from collections.abc import Iterable

from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fdls import acces
from fdls.comptes.models import JetonApi, Role, Utilisateur
from fdls.organismes.models import Guichet, Organisme
from fdls.territoires.models import Commune

CHAMPS_ORGANISME = ("nom", "sigle", "type", "siren", "departement", "adresse", "telephone", "email", "actif")
CHAMPS_GUICHET = (
    "code",
    "nom",
    "type",
    "organisme",
    "commune",
    "adresse",
    "code_postal",
    "telephone",
    "email",
    "horaires",
    "public_accueilli",
    "visible_annuaire",
    "actif",
)


def _verifier_administration(auteur) -> None:
    if not acces.administre(auteur):
        raise PermissionDenied("La gestion des partenaires est réservée à l'administration du fichier.")


def _appliquer(objet, champs: dict, autorises: Iterable[str]) -> None:
    for nom in autorises:
        if nom in champs:
            setattr(objet, nom, champs[nom])


@transaction.atomic
def creer_organisme(*, auteur, champs: dict, perimetre: Iterable[Commune | str]) -> Organisme:
    """Crée un organisme partenaire et son territoire d'habilitation (CCH R441-2-6)."""
    _verifier_administration(auteur)
    organisme = Organisme()
    _appliquer(organisme, champs, CHAMPS_ORGANISME)
    organisme.full_clean()
    organisme.save()
    organisme.perimetre.set(list(perimetre))
    return organisme


@transaction.atomic
def modifier_organisme(*, auteur, organisme: Organisme, champs: dict, perimetre: Iterable[Commune | str]) -> Organisme:
    """Modifie l'identité et remplace le territoire d'habilitation d'un organisme."""
    _verifier_administration(auteur)
    organisme = Organisme.objects.select_for_update().get(pk=organisme.pk)
    _appliquer(organisme, champs, CHAMPS_ORGANISME)
    organisme.full_clean()
    organisme.save()
    organisme.perimetre.set(list(perimetre))
    return organisme


@transaction.atomic
def creer_guichet(*, auteur, champs: dict) -> Guichet:
    """Crée un guichet d'enregistrement ; son code (5 chiffres) terminera les numéros uniques."""
    _verifier_administration(auteur)
    guichet = Guichet()
    _appliquer(guichet, champs, CHAMPS_GUICHET)
    guichet.full_clean()
    try:
        # Point de sauvegarde : deux créations simultanées du même code passent
        # toutes deux full_clean ; la contrainte unique tranche.
        with transaction.atomic():
            guichet.save()
    except IntegrityError as exc:
        raise ValidationError({"code": "Ce code guichet vient d'être attribué à un autre guichet."}) from exc
    return guichet


@transaction.atomic
def modifier_guichet(*, auteur, guichet: Guichet, champs: dict) -> Guichet:
    """Modifie un guichet. Le code ne change jamais : il figure dans les numéros uniques déjà attribués."""
    _verifier_administration(auteur)
    guichet = Guichet.objects.select_for_update().get(pk=guichet.pk)
    _appliquer(guichet, champs, tuple(c for c in CHAMPS_GUICHET if c != "code"))
    guichet.full_clean()
    guichet.save()
    return guichet


class InvitationAgentForm(PasswordResetForm):
    """Courriel de choix du mot de passe envoyé à un compte qui n'en a pas encore.

    ``PasswordResetForm`` ignore les comptes sans mot de passe utilisable :
    ici le destinataire est le compte qui vient d'être créé, et lui seul.
    """

    def __init__(self, *args, agent: Utilisateur, **kwargs):
        super().__init__({"email": agent.email}, *args, **kwargs)
        self.agent = agent

    def get_users(self, email):
        if self.agent.is_active and self.agent.email.lower() == email.lower():
            yield self.agent


def envoyer_invitation(*, agent: Utilisateur, domaine: str, https: bool) -> None:
    """Envoie le lien (valable ``PASSWORD_RESET_TIMEOUT``) pour choisir son mot de passe."""
    formulaire = InvitationAgentForm(agent=agent)
    formulaire.is_valid()
    formulaire.save(
        domain_override=domaine,
        use_https=https,
        subject_template_name="comptes/email_reinitialisation_sujet.txt",
        email_template_name="comptes/email_reinitialisation.txt",
        extra_email_context={"nouveau_compte": True},
    )


@transaction.atomic
def creer_agent(
    *,
    auteur,
    organisme: Organisme,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[str],
    guichet: Guichet | None = None,
    telephone: str = "",
    domaine: str,
    https: bool = True,
) -> Utilisateur:
    """Crée le compte d'un agent sans mot de passe utilisable ; après validation de la
    transaction, l'agent reçoit le courriel qui lui permet de choisir son mot de passe."""
    _verifier_administration(auteur)
    roles = [r for r in dict.fromkeys(roles) if r in Role.values]
    if not roles:
        raise ValueError("Un agent a au moins un rôle.")
    if Role.ADMINISTRATEUR in roles and organisme.type != Organisme.Type.GESTIONNAIRE:
        raise ValueError("Le rôle administrateur est réservé aux organismes gestionnaires du fichier.")
    if guichet is not None and guichet.organisme_id != organisme.pk:
        raise ValueError("Le guichet d'exercice doit appartenir à l'organisme de l'agent.")
    agent = Utilisateur(
        email=Utilisateur.objects.normalize_email(email).lower(),
        first_name=first_name,
        last_name=last_name,
        kind=Utilisateur.Kind.AGENT,
        organisme=organisme,
        guichet=guichet,
        roles=roles,
        telephone=telephone,
    )
    agent.set_unusable_password()
    agent.full_clean(exclude=["password"])
    agent.save()
    # Pas de courriel pour un compte dont la création serait annulée.
    transaction.on_commit(lambda: envoyer_invitation(agent=agent, domaine=domaine, https=https))
    return agent


def renvoyer_invitation(*, auteur, agent: Utilisateur, domaine: str, https: bool = True) -> None:
    """Renvoie le courriel de choix du mot de passe à un agent qui ne l'a pas encore choisi
    (le lien expire après ``PASSWORD_RESET_TIMEOUT``)."""
    _verifier_administration(auteur)
    if not agent.is_active or agent.has_usable_password():
        raise ValueError("Cet agent a déjà choisi son mot de passe ou son compte est désactivé.")
    envoyer_invitation(agent=agent, domaine=domaine, https=https)


@transaction.atomic
def desactiver_agent(*, auteur, agent: Utilisateur) -> Utilisateur:
    """Désactive un compte agent : plus de connexion, sessions et jetons d'API refusés."""
    _verifier_administration(auteur)
    if agent.pk == auteur.pk:
        raise ValueError("Vous ne pouvez pas désactiver votre propre compte.")
    agent = Utilisateur.objects.select_for_update().get(pk=agent.pk, kind=Utilisateur.Kind.AGENT)
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    JetonApi.objects.valides().filter(agent=agent).update(revoque_le=timezone.now())
    return agent


@transaction.atomic
def reactiver_agent(*, auteur, agent: Utilisateur) -> Utilisateur:
    """Réactive un compte agent (ses jetons d'API révoqués le restent)."""
    _verifier_administration(auteur)
    agent = Utilisateur.objects.select_for_update().get(pk=agent.pk, kind=Utilisateur.Kind.AGENT)
    agent.is_active = True
    agent.save(update_fields=["is_active"])
    return agent
