"""API de l'instruction (incluse par ``fdls/api/urls.py`` sous ``/api/v1/``) : les routes de chaque
fonctionnalité, dans le ``api.py`` de son dossier."""

from instruction.propositions import api as propositions

urlpatterns = [*propositions.urlpatterns]
