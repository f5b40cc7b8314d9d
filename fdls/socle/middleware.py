"""Indisponibilité de la base : une page 503 en français, jamais une 500 brute.

Placé en tête de la pile : il intercepte les erreurs de connexion levées par
les vues comme par les middlewares suivants (sessions, authentification),
puis rend une page qui ne touche pas la base. Avec ``CONN_HEALTH_CHECKS`` la
connexion est rétablie d'elle-même au retour de PostgreSQL.
"""

import ipaddress
import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

MESSAGE = (
    "Le service est momentanément indisponible : la base de données ne répond pas. "
    "Réessayez dans quelques instants ; aucune donnée validée n'a été perdue."
)


#: Clients machines (API, sonde de santé) : réponse JSON plutôt que page HTML.
CHEMINS_JSON = ("/api/", "/healthz")


def est_indisponibilite(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def reponse_503(request) -> HttpResponse:
    # Une connexion cassée ne doit pas être réutilisée par la requête suivante.
    for conn in connections.all(initialized_only=True):
        conn.close_if_unusable_or_obsolete()
    if request.path.startswith(CHEMINS_JSON):
        response = JsonResponse({"detail": MESSAGE, "code": "service_indisponible"}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": MESSAGE}), status=503)
    response["Retry-After"] = "5"
    return response


class IndisponibiliteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError):
            logger.warning("Base de données indisponible pour %s", request.path)
            return reponse_503(request)

    def process_exception(self, request, exception):
        if est_indisponibilite(exception):
            logger.warning("Base de données indisponible pour %s", request.path)
            return reponse_503(request)
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
