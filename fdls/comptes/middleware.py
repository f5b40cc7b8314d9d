"""Second facteur obligatoire pour les agents, et durée des sessions.

Un agent authentifié par mot de passe mais pas encore par TOTP n'atteint que
les pages du second facteur et la déconnexion.

Durée des sessions (OWASP ASVS 3.3) : une session ne vit pas plus de ``FDLS_SESSION_DUREE_MAX_S`` (12 h)
depuis la connexion, même en activité ; un agent inactif plus de ``FDLS_SESSION_INACTIVITE_AGENT_S``
(30 min) est déconnecté ; les demandeurs gardent l'inactivité de ``SESSION_COOKIE_AGE`` (2 h).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect

CHEMINS_LIBRES = ("/connexion/", "/deconnexion/", "/static/", "/healthz", "/api/", "/portail/")

#: Clés de la session : début de la session authentifiée et dernière requête (secondes depuis l'époque).
CONNEXION_LE = "fdls_connexion_le"
ACTIVITE_LE = "fdls_activite_le"


def noter_connexion(sender, request, user, **kwargs):
    """Reçoit ``user_logged_in`` (branché dans ``apps.py``) : point de départ de la durée absolue."""
    maintenant = time.time()
    request.session[CONNEXION_LE] = maintenant
    request.session[ACTIVITE_LE] = maintenant


class DureeSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            maintenant = time.time()
            session = request.session
            debut = session.setdefault(CONNEXION_LE, maintenant)
            activite = session.get(ACTIVITE_LE, maintenant)
            inactivite_max = settings.FDLS_SESSION_INACTIVITE_AGENT_S if user.is_agent else settings.SESSION_COOKIE_AGE
            if maintenant - debut > settings.FDLS_SESSION_DUREE_MAX_S or maintenant - activite > inactivite_max:
                logout(request)
                messages.info(request, "Votre session a expiré : reconnectez-vous pour continuer.")
                if request.path.startswith("/portail/"):
                    return redirect_to_login(request.get_full_path(), "portail:connexion")
                return redirect_to_login(request.get_full_path())
            session[ACTIVITE_LE] = maintenant
        return self.get_response(request)


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
