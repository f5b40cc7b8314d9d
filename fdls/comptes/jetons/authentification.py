"""Authentification de l'API par jeton rattaché à un agent.

Importé par les réglages de DRF pendant le chargement de
``rest_framework.views`` : ni vue ni sérialiseur ici (vue ``moi/`` :
``fdls/api/moi.py``).
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.formats import date_format
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from fdls.comptes.models import JetonApi


class JetonAuthentication(authentication.TokenAuthentication):
    """En-tête ``Authorization: Token <clé>`` ; seule l'empreinte est en base.

    Un jeton révoqué, expiré ou inconnu, ou rattaché à un compte désactivé,
    donne une 401 ; les comptes demandeurs n'ont jamais de jeton.
    """

    keyword = "Token"
    model = JetonApi

    def authenticate_credentials(self, key):
        jeton = (
            JetonApi.objects.select_related("agent", "agent__organisme", "agent__guichet")
            .filter(empreinte=JetonApi.empreinte_de(key))
            .first()
        )
        if jeton is None:
            raise exceptions.AuthenticationFailed("Jeton d'API invalide.")
        maintenant = timezone.now()
        if jeton.revoque_le is not None:
            raise exceptions.AuthenticationFailed("Ce jeton d'API a été révoqué.")
        if jeton.echeance <= maintenant:
            expiration = date_format(timezone.localtime(jeton.echeance), "SHORT_DATETIME_FORMAT")
            raise exceptions.AuthenticationFailed(f"Ce jeton d'API a expiré le {expiration}.")
        agent = jeton.agent
        if not agent.is_active:
            raise exceptions.AuthenticationFailed("Le compte rattaché à ce jeton est désactivé.")
        if not agent.is_agent or agent.organisme_id is None:
            # Un compte demandeur n'accède jamais à l'API, même avec un jeton créé à tort.
            raise exceptions.AuthenticationFailed("Seuls les agents des organismes partenaires accèdent à l'API.")
        # Une écriture par minute au plus : l'usage reste visible sans coûter une requête à chaque appel.
        if jeton.dernier_usage is None or maintenant - jeton.dernier_usage > timedelta(minutes=1):
            JetonApi.objects.filter(pk=jeton.pk).update(dernier_usage=maintenant)
        return agent, jeton


class JetonAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "fdls.comptes.jetons.authentification.JetonAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Jeton d'API d'un agent, préfixé par `Token ` (ex. `Token abcd…`).",
        }
