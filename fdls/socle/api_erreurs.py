"""Erreurs JSON de l'API, en français, avec le détail par champ."""

from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler


def _aplatir(detail):
    if isinstance(detail, dict):
        return {cle: _aplatir(valeur) for cle, valeur in detail.items()}
    if isinstance(detail, list):
        return [_aplatir(v) for v in detail]
    return str(detail)


def gestionnaire_exceptions(exc, context):
    """Réponses d'erreur uniformes : ``detail`` lisible + ``erreurs`` par champ."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        erreurs = _aplatir(exc.detail)
        if not isinstance(erreurs, dict):
            erreurs = {"non_field_errors": erreurs}
        response.data = {
            "detail": "La requête contient des erreurs : corrigez les champs indiqués.",
            "code": "invalide",
            "erreurs": erreurs,
        }
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"]), "code": getattr(exc, "default_code", "erreur")}
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        response.data["detail"] = "Trop de requêtes : réessayez plus tard."
    return response


def reponse_erreur(message: str, code: str, statut: int) -> Response:
    return Response({"detail": message, "code": code}, status=statut)
