"""Second facteur obligatoire pour les agents.

Un agent authentifié par mot de passe mais pas encore par TOTP n'atteint que
les pages du second facteur et la déconnexion.
"""

from django.conf import settings
from django.shortcuts import redirect

CHEMINS_LIBRES = ("/connexion/", "/deconnexion/", "/static/", "/healthz", "/api/", "/portail/")


class DoubleFacteurMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.FDLS_DOUBLE_FACTEUR_AGENTS
            and user is not None
            and user.is_authenticated
            and user.is_agent
            and not user.is_verified()
            and not request.path.startswith(CHEMINS_LIBRES)
        ):
            return redirect("comptes:second_facteur")
        return self.get_response(request)
