"""Indisponibilité de la base : une page 503 en français, jamais une 500 brute.

Placé en tête de la pile. Django convertit en réponse, middleware par
middleware, toute exception levée plus bas (``convert_exception_to_response``) :
une erreur de connexion levée par un middleware suivant (chargement de la
session, de l'utilisateur) n'atteindrait donc jamais ce middleware, et
``DEBUG`` en ferait la page de débogage anglaise. Trois prises :

- ``process_exception`` : les erreurs levées par les vues (API comprise) ;
- le signal ``got_request_exception``, émis par Django pour toute exception
  convertie en réponse, marque la requête ; au retour, ce middleware remplace
  la réponse d'erreur par la 503 française, dans tous les modes ;
- ``__call__`` : ce qui remonterait malgré tout.

Chaque réponse 503 porte ``Retry-After``. La coupure est journalisée une fois
au début et une fois à la fin (``fdls.socle.indisponibilite``). Avec
``CONN_HEALTH_CHECKS`` la connexion est rétablie d'elle-même au retour de
PostgreSQL.
"""

import ipaddress
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from fdls.socle.indisponibilite import COUPURE, est_indisponibilite

__all__ = ["IndisponibiliteMiddleware", "est_indisponibilite", "reponse_503"]

MESSAGE = (
    "Le service est momentanément indisponible : la base de données ne répond pas. "
    "Réessayez dans quelques instants ; aucune donnée validée n'a été perdue."
)

#: Délai suggéré aux clients (navigateurs, API, sondes) avant de réessayer, en secondes.
RETRY_AFTER_S = 5

#: Clients machines (API, sonde de santé) : réponse JSON plutôt que page HTML.
CHEMINS_JSON = ("/api/", "/healthz")

#: Attribut posé sur la requête quand Django a converti une erreur de connexion en réponse.
MARQUE = "_fdls_base_indisponible"


def reponse_503(request) -> HttpResponse:
    # Une connexion cassée ne doit pas être réutilisée par la requête suivante.
    for conn in connections.all(initialized_only=True):
        conn.close_if_unusable_or_obsolete()
    if request.path.startswith(CHEMINS_JSON):
        response = JsonResponse({"detail": MESSAGE, "code": "service_indisponible"}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": MESSAGE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response


@receiver(got_request_exception, dispatch_uid="fdls-indisponibilite")
def _marquer_requete(sender, request=None, **kwargs):
    """Émis dans le ``except`` de Django : ``sys.exc_info()`` est l'exception convertie."""
    erreur = sys.exc_info()[1]
    if request is not None and est_indisponibilite(erreur):
        setattr(request, MARQUE, erreur)


class IndisponibiliteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def _refuser(self, request, erreur):
        COUPURE.signaler(request.path, erreur)
        return reponse_503(request)

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except (OperationalError, InterfaceError) as erreur:
            return self._refuser(request, erreur)
        erreur = getattr(request, MARQUE, None)
        if erreur is not None:
            return self._refuser(request, erreur)
        if response.status_code < 500:
            COUPURE.terminer()
        return response

    def process_exception(self, request, exception):
        if est_indisponibilite(exception):
            return self._refuser(request, exception)
        return None


class EntetesSecuriteMiddleware:
    """En-têtes posés sur toute réponse, erreurs et pages 503 comprises (en tête de la pile).

    - ``Permissions-Policy`` (``FDLS_PERMISSIONS_POLICY``) : aucune page n'utilise caméra, micro, position,
      paiement ni périphériques ; un script injecté ne pourrait pas les demander.
    - API (``/api/``) : ``Cache-Control: no-store`` et ``Pragma: no-cache`` (``add_never_cache_headers``) ; les
      réponses portent des données nominatives, ni le navigateur ni un proxy ne les gardent.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.politique = ", ".join(
            f"{fonction}=({' '.join(origines)})" for fonction, origines in settings.FDLS_PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.politique)
        if request.path.startswith("/api/"):
            add_never_cache_headers(response)
            response["Pragma"] = "no-cache"
        return response


class PosteDeveloppementMiddleware:
    """Avec DEBUG et la clé de développement publiée, seul le poste lui-même est servi.

    ``runserver 0.0.0.0`` ou un conteneur sans ``FDLS_ENV`` exposeraient sinon les pages de débogage et des
    sessions signées d'une clé connue de tous : une requête venue d'une autre adresse reçoit un 403.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG and settings.SECRET_KEY == settings.FDLS_CLE_DEVELOPPEMENT:
            adresse = request.META.get("REMOTE_ADDR") or ""
            try:
                locale = ipaddress.ip_address(adresse).is_loopback
            except ValueError:
                locale = False
            if not locale:
                return HttpResponseForbidden(
                    "Refusé : ce serveur tourne en mode poste de développement (DEBUG et clé secrète publiée) et "
                    "ne répond qu'à la machine elle-même. Réglez FDLS_ENV=production pour servir d'autres postes.",
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)
