from django.conf import settings


def fdls(request):
    """Contexte commun : environnement (bandeau hors production) et droit à la
    navigation des agents (pas avant le second facteur)."""
    user = getattr(request, "user", None)
    navigation_agent = bool(
        user is not None
        and user.is_authenticated
        and user.is_agent
        and (not settings.FDLS_DOUBLE_FACTEUR_AGENTS or getattr(user, "is_verified", lambda: False)())
    )
    return {"FDLS_ENV": settings.FDLS_ENV, "FDLS_VERSION": "0.1.0", "navigation_agent": navigation_agent}
