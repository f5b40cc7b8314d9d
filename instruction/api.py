"""API de l'instruction (incluse par ``fdls/api/urls.py`` sous ``/api/v1/``) : les routes de chaque
fonctionnalité, dans le ``api.py`` de son dossier."""

from instruction.commissions import api as commissions
from instruction.propositions import api as propositions
from instruction.rapprochement import api as api_rapprochement

urlpatterns = [*api_rapprochement.urlpatterns, *propositions.urlpatterns, *commissions.urlpatterns]
