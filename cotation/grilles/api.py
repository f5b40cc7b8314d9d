"""API des grilles de cotation (lecture seule) : ``GET /api/v1/cotation/grilles/`` et ``/{id}/``.

Grilles adoptées (programmées, en vigueur, archivées — information publique)
pour tout agent ; les brouillons pour ceux qui gèrent les grilles du
territoire (``cotation.acces``). Filtres ``epci`` (SIREN) et ``etat``. Le
détail donne les familles et leurs critères. Routes réunies par
``cotation/api.py``.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import routers, viewsets

from cotation import acces as acces_cotation
from cotation.calcul.models import Grille
from demandes.dossier.serializers import ErreurSerializer
from fdls.acces.api import EstAgentAuthentifie

from .serializers import GrilleDetailSerializer, GrilleSerializer


class GrilleFilter(django_filters.FilterSet):
    epci = django_filters.CharFilter(field_name="epci_id", help_text="SIREN de l'EPCI (ex. 244400404).")
    etat = django_filters.ChoiceFilter(choices=Grille.Etat.choices, help_text="État de la grille.")

    class Meta:
        model = Grille
        fields = ["epci", "etat"]


@extend_schema_view(
    list=extend_schema(
        summary="Grilles de cotation",
        description=(
            "Grilles adoptées (programmées, en vigueur, archivées) de tous les territoires, et les brouillons des "
            "territoires dont vous gérez les grilles ; 50 par page, filtres `epci` (SIREN) et `etat`."
        ),
    ),
    retrieve=extend_schema(
        summary="Une grille de cotation",
        description="La grille, ses familles (ordre, cumul, exclusions) et leurs critères (règle, paramètres, "
        "points ou paliers, durée, exclusions « sauf si », mention du livret).",
        responses={200: GrilleDetailSerializer, 404: OpenApiResponse(ErreurSerializer, description="Introuvable.")},
    ),
)
@extend_schema(tags=["cotation"])
class GrilleViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GrilleSerializer
    permission_classes = [EstAgentAuthentifie]
    filterset_class = GrilleFilter
    queryset = Grille.objects.none()

    def get_queryset(self):
        return acces_cotation.grilles_lisibles(self.request.user).select_related("epci").order_by("epci_id", "-version")

    def get_serializer_class(self):
        return GrilleDetailSerializer if self.action == "retrieve" else GrilleSerializer


routeur = routers.SimpleRouter()
routeur.register("cotation/grilles", GrilleViewSet, basename="grille-cotation")
urlpatterns = routeur.urls
