from django.conf import settings


def fdls(request):
    """Contexte commun : environnement (bandeau hors production)."""
    return {"FDLS_ENV": settings.FDLS_ENV, "FDLS_VERSION": "0.1.0"}
