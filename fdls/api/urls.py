"""Routes de l'API v1 (montées sous ``/api/v1/``, espace de noms « v1 »).

Chaque application expose ses vues dans son module ``api.py`` ; les routes
des applications métier sont incluses par leur chemin (``demandes.api``) pour
que ``fdls`` n'importe aucune d'elles. Le schéma et la documentation sont
publics (aucune donnée) et servis sans CDN (drf-spectacular-sidecar).
"""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import permissions, routers

from fdls.api.moi import MoiView
from fdls.organismes.api import GuichetViewSet, OrganismeViewSet
from fdls.territoires.api import CommuneViewSet, DepartementViewSet, EpciViewSet, QuartierViewSet


@extend_schema(exclude=True)
class RacineApi(routers.APIRootView):
    """Index des points d'entrée de l'API FDLS v1 ; la documentation interactive est sous ``docs/``."""

    permission_classes = [permissions.AllowAny]


class RouteurApi(routers.DefaultRouter):
    """Routeur dont la racine liste aussi les vues hors routeur (``extra`` : libellé → nom d'URL)."""

    APIRootView = RacineApi
    include_format_suffixes = False

    def __init__(self, *, extra: dict[str, str]):
        self.extra = extra
        super().__init__()

    def get_api_root_view(self, api_urls=None):
        list_name = self.routes[0].name
        racine = {prefix: list_name.format(basename=basename) for prefix, _viewset, basename in self.registry}
        racine.update(self.extra)
        return self.APIRootView.as_view(api_root_dict=dict(sorted(racine.items())))


routeur = RouteurApi(
    extra={
        "moi": "moi",
        "demandes": "demande-list",
        "programmes": "programme-list",
        "logements": "logement-list",
        "disponibilites": "disponibilite-list",
        "cotation/grilles": "grille-cotation-list",
        "schema": "schema",
        "documentation": "docs",
        "redoc": "redoc",
    }
)
routeur.register("departements", DepartementViewSet, basename="departement")
routeur.register("epci", EpciViewSet, basename="epci")
routeur.register("communes", CommuneViewSet, basename="commune")
routeur.register("quartiers", QuartierViewSet, basename="quartier")
routeur.register("organismes", OrganismeViewSet, basename="organisme")
routeur.register("guichets", GuichetViewSet, basename="guichet")

# Redoc injecte ses styles (styled-components) et lance sa recherche dans un worker « blob: ».
STYLES_EN_LIGNE = {"style-src": ["'unsafe-inline'"]}
WORKER_BLOB = {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}

urlpatterns = [
    path("moi/", MoiView.as_view(), name="moi"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        csp_update(STYLES_EN_LIGNE)(SpectacularSwaggerSplitView.as_view(template_name="api/swagger_ui.html")),
        name="docs",
    ),
    path(
        "redoc/",
        csp_update(WORKER_BLOB)(SpectacularRedocView.as_view(template_name="api/redoc.html")),
        name="redoc",
    ),
    path("", include("demandes.api")),
    path("", include("offre.api")),
    path("", include("cotation.api")),
    path("", include("instruction.api")),
    path("", include(routeur.urls)),
]
