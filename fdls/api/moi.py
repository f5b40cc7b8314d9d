"""Vue d'API du compte : l'agent authentifié (``/api/v1/moi/``), son organisme, son guichet, le jeton utilisé.

Elle réunit les comptes, les organismes et les jetons : elle vit au-dessus
d'eux, avec les routes de l'API (``fdls/api/urls.py``).
"""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from fdls.acces.api import jeton_de
from fdls.comptes.models import JetonApi, Role, Utilisateur
from fdls.organismes.models import Guichet, Organisme

# ---------------------------------------------------------------- sérialiseurs (lecture seule)


class RoleSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Role.choices)
    libelle = serializers.CharField()


class OrganismeResumeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisme
        fields = ["id", "nom", "sigle", "type"]


class GuichetResumeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Guichet
        fields = ["id", "code", "nom", "type"]


class AgentSerializer(serializers.ModelSerializer):
    nom = serializers.CharField(source="last_name")
    prenom = serializers.CharField(source="first_name")
    roles = serializers.SerializerMethodField()
    organisme = OrganismeResumeSerializer()
    guichet = GuichetResumeSerializer(allow_null=True)

    class Meta:
        model = Utilisateur
        fields = ["id", "email", "nom", "prenom", "roles", "organisme", "guichet"]

    @extend_schema_field(RoleSerializer(many=True))
    def get_roles(self, agent):
        return [{"code": r, "libelle": Role(r).label} for r in agent.roles if r in Role.values]


class JetonSerializer(serializers.ModelSerializer):
    class Meta:
        model = JetonApi
        fields = ["nom", "prefixe", "portee", "created_at", "expire_le"]


class MoiSerializer(serializers.Serializer):
    """L'agent authentifié et le jeton utilisé (nul pour une session)."""

    agent = AgentSerializer()
    jeton = JetonSerializer(allow_null=True)


# ---------------------------------------------------------------- vue


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
