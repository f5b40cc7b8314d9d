"""API de la liste des demandes : ``GET /api/v1/demandes/``, filtrée comme l'écran (``DemandeFilter``)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema

from demandes.dossier.api import ERREURS_LECTURE
from demandes.dossier.models import Demande
from demandes.dossier.selectors import LOCALISATIONS
from demandes.dossier.serializers import DemandeSerializer, ErreurSaisieSerializer
from demandes.liste.filters import DemandeFilter
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_liste


class ListeDemandesApi:
    """Action ``list`` de la ressource des demandes (assemblée dans ``demandes/api.py``)."""

    filterset_class = DemandeFilter

    def get_queryset(self):
        if self.action != "list":
            return super().get_queryset()
        visibles = Demande.objects.visibles_par(self.request.user)
        return visibles.select_related("guichet").prefetch_related(Prefetch("localisations", queryset=LOCALISATIONS))

    def get_serializer_class(self):
        return DemandeSerializer if self.action == "list" else super().get_serializer_class()

    @extend_schema(
        summary="Demandes visibles",
        description=(
            "Demandes du territoire d'habilitation de l'organisme de l'agent et celles enregistrées à ses "
            "guichets (CCH R441-2-6), 50 par page, filtrées comme dans les écrans. Chaque demande lue est "
            "inscrite au journal des consultations."
        ),
        responses={200: DemandeSerializer(many=True), 400: ErreurSaisieSerializer, 403: ERREURS_LECTURE[403]},
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        journaliser_liste(user=request.user, objets=page, action=Consultation.Action.API, request=request)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
