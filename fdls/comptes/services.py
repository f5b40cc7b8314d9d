"""Services des comptes : second facteur (TOTP), jetons d'API."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from fdls.comptes.models import JetonApi, Utilisateur, duree_max_jeton


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
