"""Erreurs JSON de l'API, en français, avec le détail par champ.

Toute erreur a la forme ``{"detail": "...", "code": "..."}`` ; une erreur de
saisie ajoute ``"erreurs": {"champ": ["message", ...]}``. Les erreurs de
validation levées par les services (``django.core.exceptions.ValidationError``)
deviennent des 400, jamais des 500 ; une action refusée dans l'état actuel
de l'objet (``TransitionInterdite`` du noyau des workflows) et une écriture
qui heurte une contrainte de la base (écritures concurrentes) deviennent des
409. Les vues de l'API ne tiennent donc aucun ``try``/``except`` pour ces cas.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from fdls.socle.workflow import TransitionInterdite

# Codes stables, en français, que les systèmes partenaires peuvent tester.
CODES = {
    "not_authenticated": "non_authentifie",
    "authentication_failed": "authentification_echouee",
    "permission_denied": "acces_refuse",
    "not_found": "introuvable",
    "method_not_allowed": "methode_non_autorisee",
    "not_acceptable": "format_non_acceptable",
    "unsupported_media_type": "format_non_supporte",
    "parse_error": "requete_illisible",
    "throttled": "trop_de_requetes",
}


class TransitionRefusee(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Cette action n'est pas possible dans l'état actuel de l'objet."
    default_code = "transition_interdite"


class ConflitEcriture(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = (
        "L'écriture heurte une contrainte du dossier : une modification simultanée, ou deux personnes gardées "
        "(avec leur identifiant) qui échangent leurs rôles de demandeur et de co-demandeur — envoyez-les alors "
        "sans identifiant. Relisez la demande et réessayez."
    )
    default_code = "conflit"


def _aplatir(detail):
    if isinstance(detail, dict):
        return {cle: _aplatir(valeur) for cle, valeur in detail.items()}
    if isinstance(detail, list):
        return [_aplatir(v) for v in detail]
    return str(detail)


def _depuis_django(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        erreurs = {
            (api_settings.NON_FIELD_ERRORS_KEY if champ == NON_FIELD_ERRORS else champ): messages
            for champ, messages in exc.message_dict.items()
        }
    else:
        erreurs = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    return exceptions.ValidationError(erreurs)


def gestionnaire_exceptions(exc, context):
    """Réponses d'erreur uniformes : ``detail`` lisible + ``code`` + ``erreurs`` par champ."""
    if isinstance(exc, TransitionInterdite):
        exc = TransitionRefusee(" ".join(exc.messages))
    elif isinstance(exc, IntegrityError):
        # Contrainte heurtée malgré la validation (écritures concurrentes) : jamais une 500.
        exc = ConflitEcriture()
    elif isinstance(exc, DjangoValidationError):
        exc = _depuis_django(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Ressource introuvable.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        erreurs = _aplatir(exc.detail)
        if not isinstance(erreurs, dict):
            erreurs = {api_settings.NON_FIELD_ERRORS_KEY: erreurs}
        response.data = {
            "detail": "La requête contient des erreurs : corrigez les champs indiqués.",
            "code": "invalide",
            "erreurs": erreurs,
        }
        return response
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    code = codes if isinstance(codes, str) else getattr(exc, "default_code", "erreur")
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        attente = getattr(exc, "wait", None)
        detail = "Trop de requêtes : réessayez plus tard."
        if attente:
            detail = f"Trop de requêtes : réessayez dans {int(attente)} seconde{'s' if attente >= 2 else ''}."
    response.data = {"detail": str(detail), "code": CODES.get(code, code)}
    return response


def reponse_erreur(message: str, code: str, statut: int) -> Response:
    return Response({"detail": message, "code": code}, status=statut)
