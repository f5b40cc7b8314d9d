"""Fondations de l'API : permission de base (erreurs : fdls/socle/api_erreurs.py)."""

from rest_framework import permissions

from fdls.comptes.models import JetonApi


class EstAgentAuthentifie(permissions.BasePermission):
    """Agent actif d'un organisme ; par session, second facteur passé ; écriture
    seulement avec un jeton de portée « écriture »."""

    message = "Authentification requise : jeton d'API d'un agent ou session avec second facteur."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active and user.is_agent):
            return False
        jeton = request.auth if isinstance(request.auth, JetonApi) else None
        if jeton is None and not user.is_verified():
            return False
        if request.method not in permissions.SAFE_METHODS and jeton is not None:
            if jeton.portee != JetonApi.Portee.ECRITURE:
                self.message = "Ce jeton est en lecture seule."
                return False
        return True
