"""Authentification de l'API par jeton rattaché à un agent."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from fdls.comptes.models import JetonApi


class JetonAuthentication(authentication.TokenAuthentication):
    """En-tête ``Authorization: Token <clé>`` ; seule l'empreinte est en base."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        jeton = (
            JetonApi.objects.valides()
            .select_related("agent", "agent__organisme")
            .filter(empreinte=JetonApi.empreinte_de(key))
            .first()
        )
        if jeton is None:
            raise exceptions.AuthenticationFailed("Jeton invalide, expiré ou révoqué.")
        agent = jeton.agent
        if not agent.is_active or not agent.is_agent or agent.organisme_id is None:
            raise exceptions.AuthenticationFailed("Le compte rattaché à ce jeton est désactivé.")
        maintenant = timezone.now()
        if jeton.dernier_usage is None or maintenant - jeton.dernier_usage > timedelta(minutes=1):
            JetonApi.objects.filter(pk=jeton.pk).update(dernier_usage=maintenant)
        return agent, jeton


class JetonAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "fdls.comptes.api.JetonAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Jeton d'API d'un agent, préfixé par `Token ` (ex. `Token abcd…`).",
        }
