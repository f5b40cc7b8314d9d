"""Sérialiseurs de l'API des comptes (lecture seule)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fdls.comptes.models import JetonApi, Role, Utilisateur
from fdls.organismes.models import Guichet, Organisme


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
