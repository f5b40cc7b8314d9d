"""Vue d'API du compte : l'agent authentifié (``/api/v1/moi/``)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from fdls.comptes.serializers import MoiSerializer
from fdls.socle.api.permissions import jeton_de


class MoiView(APIView):
    """L'agent authentifié, son organisme, son guichet et la portée du jeton utilisé."""

    @extend_schema(
        summary="Agent authentifié",
        description=(
            "Identité de l'agent, rôles, organisme et guichet d'exercice ; `jeton` décrit le jeton "
            "utilisé, dont sa portée (`lecture` ou `ecriture`), et vaut null pour une session."
        ),
        responses=MoiSerializer,
        tags=["compte"],
    )
    def get(self, request, *args, **kwargs):
        return Response(MoiSerializer({"agent": request.user, "jeton": jeton_de(request)}).data)
