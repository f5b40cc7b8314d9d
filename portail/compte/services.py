"""Inscription du demandeur, vérification de son adresse électronique, limites de la connexion.

Pas d'énumération des comptes : l'inscription d'une adresse déjà connue répond la même page et fait le même
travail (un mot de passe haché, une tâche planifiée) ; le courriel envoyé dit alors qu'un compte existe. Le
lien de vérification ouvre une page avec un bouton (jamais d'action sur un GET) ; le jeton vaut
``PASSWORD_RESET_TIMEOUT`` et ne sert qu'une fois (il dépend de la date de vérification).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from fdls.comptes.models import Utilisateur
from fdls.comptes.services import essai_de_trop
from fdls.socle import taches
from portail.courriels import services as courriels
from portail.courriels.models import PreferencesCourriel

TACHE_VERIFICATION = "portail.tasks.envoyer_verification"
TACHE_COMPTE_EXISTANT = "portail.tasks.envoyer_compte_existant"


class JetonVerification(PasswordResetTokenGenerator):
    key_salt = "portail.compte.JetonVerification"

    def _make_hash_value(self, user, timestamp):
        verifie = "" if user.email_verifie_le is None else user.email_verifie_le.replace(microsecond=0, tzinfo=None)
        return f"{user.pk}{user.email}{verifie}{timestamp}"


JETON = JetonVerification()


def normaliser(email: str) -> str:
    return (email or "").strip().lower()


@transaction.atomic
def inscrire(*, email: str, prenom: str, nom: str, mot_de_passe: str) -> Utilisateur | None:
    """Crée le compte (adresse à vérifier) et planifie le lien ; une adresse déjà connue reçoit un courriel qui
    le dit. Même réponse et même travail dans les deux cas ; rend le compte créé (None sinon)."""
    adresse = normaliser(email)
    existant = Utilisateur.objects.filter(email__iexact=adresse).first()
    if existant is not None:
        make_password(mot_de_passe)  # même coût que la création : le temps de réponse ne dit rien
        taches.planifier(TACHE_COMPTE_EXISTANT, existant.pk)
        return None
    user = Utilisateur.objects.create_user(
        adresse, mot_de_passe, kind=Utilisateur.Kind.DEMANDEUR, first_name=prenom.strip(), last_name=nom.strip()
    )
    PreferencesCourriel.objects.create(user=user)
    taches.planifier(TACHE_VERIFICATION, user.pk)
    return user


def lien_verification(user: Utilisateur) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return courriels.url_site("portail:verification", uid, JETON.make_token(user))


def envoyer_verification(user_id: int) -> bool:
    user = courriels.destinataire(user_id)
    if user is None or not user.is_demandeur or user.email_verifie_le is not None:
        return False
    return courriels.envoyer(
        adresse=user.email, gabarit="verification", contexte={"user": user, "lien": lien_verification(user)}
    )


def envoyer_compte_existant(user_id: int) -> bool:
    user = courriels.destinataire(user_id)
    if user is None:
        return False
    contexte = {
        "user": user,
        "lien_connexion": courriels.url_site("portail:connexion" if user.is_demandeur else "comptes:connexion"),
        "lien_oubli": courriels.url_site("comptes:mot_de_passe_oublie"),
        "lien_verification": lien_verification(user) if user.is_demandeur and not user.email_verifie_le else "",
    }
    return courriels.envoyer(adresse=user.email, gabarit="compte_existant", contexte=contexte)


def compte_du_lien(uidb64: str, token: str) -> Utilisateur | None:
    """Le compte à vérifier si le lien est valide (ni expiré, ni déjà utilisé), sans rien écrire."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = Utilisateur.objects.demandeurs().filter(pk=pk, is_active=True).first()
    if user is None or user.email_verifie_le is not None or not JETON.check_token(user, token):
        return None
    return user


@transaction.atomic
def verifier_adresse(*, uidb64: str, token: str) -> Utilisateur | None:
    """Note l'adresse vérifiée (POST du bouton de la page du lien) ; None si le lien ne vaut plus."""
    user = compte_du_lien(uidb64, token)
    if user is None:
        return None
    user = Utilisateur.objects.select_for_update().get(pk=user.pk)
    if user.email_verifie_le is not None:
        return None
    user.email_verifie_le = timezone.now()
    user.save(update_fields=["email_verifie_le"])
    return user


def renvoyer_verification(*, email: str, ip: str | None) -> bool:
    """Planifie un nouveau lien pour une adresse (même travail qu'elle ait un compte ou non) ; faux au-delà des
    limites par poste et par adresse (celles du mot de passe oublié)."""
    adresse = normaliser(email)
    fenetre = settings.FDLS_REINITIALISATION_FENETRE_S
    if essai_de_trop(
        f"portail:verif:ip:{ip or 'inconnue'}", limite=settings.FDLS_REINITIALISATION_MAX_PAR_IP, fenetre_s=fenetre
    ) or essai_de_trop(
        f"portail:verif:adresse:{adresse}", limite=settings.FDLS_REINITIALISATION_MAX_PAR_ADRESSE, fenetre_s=fenetre
    ):
        return False
    user = Utilisateur.objects.demandeurs().filter(email__iexact=adresse, email_verifie_le__isnull=True).first()
    taches.planifier(TACHE_VERIFICATION, user.pk if user else 0)
    return True


def connexion_de_trop(ip: str | None) -> bool:
    """Compte un essai de connexion du poste ; vrai au-delà de ``FDLS_PORTAIL_CONNEXIONS_MAX_PAR_IP`` essais dans
    la fenêtre (réponse 429). Le verrouillage d'un compte après 5 échecs reste celui de django-axes."""
    return essai_de_trop(
        f"portail:connexion:ip:{ip or 'inconnue'}",
        limite=settings.FDLS_PORTAIL_CONNEXIONS_MAX_PAR_IP,
        fenetre_s=settings.FDLS_PORTAIL_CONNEXIONS_FENETRE_S,
    )
