"""Services des comptes : second facteur (TOTP), jetons d'API, mot de passe oublié."""

from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from fdls.comptes.models import JetonApi, Utilisateur, duree_max_jeton
from fdls.socle import taches


def appareil_confirme(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def preparer_totp(*, user: Utilisateur) -> TOTPDevice:
    """Crée (ou reprend) l'appareil TOTP non confirmé de l'agent, pour l'enrôlement."""
    appareil = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if appareil is None:
        appareil = TOTPDevice.objects.create(user=user, name="Application d'authentification", confirmed=False)
    return appareil


@transaction.atomic
def confirmer_totp(*, user: Utilisateur, code: str) -> TOTPDevice | None:
    """Confirme l'appareil en attente si ``code`` est valide ; remplace l'ancien."""
    appareil = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if appareil is None or not appareil.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    appareil.confirmed = True
    appareil.save(update_fields=["confirmed"])
    return appareil


def verifier_totp(*, user: Utilisateur, code: str) -> TOTPDevice | None:
    """Vérifie le code à 6 chiffres ; django-otp ralentit les essais répétés."""
    appareil = appareil_confirme(user)
    if appareil is not None and appareil.verify_token(code):
        return appareil
    return None


def creer_jeton(*, agent: Utilisateur, nom: str, portee: str = JetonApi.Portee.LECTURE, expire_le=None):
    """Crée un jeton d'API ; renvoie (jeton, clé en clair montrée une seule fois).

    Sans échéance, le jeton vaut la durée maximale (``FDLS_JETON_DUREE_MAX_JOURS``) ; au-delà, refusé.
    """
    if not agent.is_agent or agent.organisme_id is None:
        raise ValueError("Seul un agent rattaché à un organisme peut détenir un jeton d'API.")
    maintenant = timezone.now()
    maximum = maintenant + duree_max_jeton()
    if expire_le is None:
        expire_le = maximum
    elif expire_le > maximum:
        raise ValidationError(
            {
                "expire_le": f"Un jeton d'API vaut {settings.FDLS_JETON_DUREE_MAX_JOURS} jours au plus : "
                "choisissez une échéance plus proche."
            }
        )
    elif expire_le <= maintenant:
        raise ValidationError({"expire_le": "L'échéance d'un jeton d'API doit être dans le futur."})
    cle = JetonApi.generer_cle()
    jeton = JetonApi.objects.create(
        agent=agent,
        nom=nom,
        prefixe=cle[:8],
        empreinte=JetonApi.empreinte_de(cle),
        portee=portee,
        expire_le=expire_le,
    )
    return jeton, cle


def revoquer_jetons_de(*, agent_id: int) -> int:
    """Révoque tous les jetons encore valides d'un agent (second facteur réinitialisé, mot de passe changé)."""
    return JetonApi.objects.filter(agent_id=agent_id).revoquer()


def appareil_supprime(sender, instance: TOTPDevice, **kwargs) -> None:
    """Un second facteur confirmé supprimé (remplacé par l'agent, réinitialisé par l'administration) : les
    jetons d'API de l'agent sont révoqués (branché sur ``post_delete`` dans ``apps.py``)."""
    if instance.confirmed:
        revoquer_jetons_de(agent_id=instance.user_id)


def revoquer_jeton(*, jeton: JetonApi) -> None:
    jeton.revoque_le = timezone.now()
    jeton.save(update_fields=["revoque_le"])


# --------------------------------------------------------------------- mot de passe oublié

TACHE_REINITIALISATION = "fdls.comptes.tasks.envoyer_reinitialisation"


def essai_de_trop(cle: str, *, limite: int, fenetre_s: int) -> bool:
    """Compte un essai sous ``cle`` (cache partagé, en base) ; vrai au-delà de ``limite`` dans la fenêtre."""
    cache.add(cle, 0, timeout=fenetre_s)
    try:
        essais = cache.incr(cle)
    except ValueError:  # entrée expirée entre add et incr
        cache.set(cle, 1, timeout=fenetre_s)
        essais = 1
    return essais > limite


def demander_reinitialisation(*, email: str, ip: str | None) -> bool:
    """Planifie l'envoi du lien de réinitialisation ; faux si la limite par IP ou par adresse est atteinte.

    Même travail que le compte existe ou non (une ligne dans l'outbox) : ni le temps de réponse ni la page ne
    disent si l'adresse a un compte. La recherche du compte et l'envoi se font dans le worker.
    """
    adresse = email.strip().lower()
    fenetre = settings.FDLS_REINITIALISATION_FENETRE_S
    if essai_de_trop(
        f"reinit:ip:{ip or 'inconnue'}", limite=settings.FDLS_REINITIALISATION_MAX_PAR_IP, fenetre_s=fenetre
    ):
        return False
    if essai_de_trop(
        f"reinit:adresse:{adresse}", limite=settings.FDLS_REINITIALISATION_MAX_PAR_ADRESSE, fenetre_s=fenetre
    ):
        return False
    taches.planifier(TACHE_REINITIALISATION, adresse)
    return True


def envoyer_reinitialisation(email: str) -> None:
    """Envoie le lien (tâche de l'outbox) aux comptes actifs de cette adresse ; rien si elle n'en a pas.

    Le lien pointe vers ``SITE_URL``, jamais vers l'hôte d'une requête (pas d'empoisonnement par ``Host``).
    """
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    site = urlparse(settings.SITE_URL)
    form.save(
        domain_override=site.netloc,
        use_https=site.scheme == "https",
        subject_template_name="comptes/email_reinitialisation_sujet.txt",
        email_template_name="comptes/email_reinitialisation.txt",
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
