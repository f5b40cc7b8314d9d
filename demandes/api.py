"""API des demandes : lecture des données nominatives.

Le QuerySet part toujours de ``Demande.objects.visibles_par(user)`` (CCH
R441-2-6, ``fdls/acces.py``) : une demande hors du périmètre de l'agent
répond 404, sans révéler qu'elle existe. Chaque lecture écrit le journal des
consultations (action « api »). Ce module fournit aussi ses routes, incluses
par ``fdls/socle/api_urls.py`` sous ``/api/v1/``.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import routers, viewsets
from rest_framework.response import Response

from demandes.filters import DemandeFilter
from demandes.models import Demande, LocalisationSouhaitee
from demandes.serializers import DemandeSerializer
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation, journaliser_liste
from fdls.socle.api import EstAgentAuthentifie, VoitDonneesNominatives


@extend_schema(tags=["demandes"])
@extend_schema_view(
    list=extend_schema(
        summary="Demandes visibles",
        description=(
            "Demandes du territoire d'habilitation de l'organisme de l'agent et celles enregistrées à ses "
            "guichets (CCH R441-2-6), 50 par page. Chaque demande lue est inscrite au journal des consultations."
        ),
    ),
    retrieve=extend_schema(
        summary="Une demande",
        description="404 si la demande n'existe pas ou n'est pas visible de l'agent. La lecture est journalisée.",
    ),
)
class DemandeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DemandeSerializer
    filterset_class = DemandeFilter
    permission_classes = [EstAgentAuthentifie, VoitDonneesNominatives]
    queryset = Demande.objects.none()  # pour le schéma ; get_queryset applique la politique d'accès

    def get_queryset(self):
        return (
            Demande.objects.visibles_par(self.request.user)
            .select_related("guichet")
            .prefetch_related(
                Prefetch(
                    "localisations",
                    queryset=LocalisationSouhaitee.objects.select_related("commune").order_by("rang"),
                )
            )
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        journaliser_liste(user=request.user, objets=page, action=Consultation.Action.API, request=request)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        demande = self.get_object()
        journaliser_consultation(user=request.user, objet=demande, action=Consultation.Action.API, request=request)
        return Response(self.get_serializer(demande).data)


routeur = routers.SimpleRouter()
routeur.register("demandes", DemandeViewSet, basename="demande")
urlpatterns = routeur.urls
