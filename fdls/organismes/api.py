"""API des partenaires : organismes et guichets d'enregistrement.

Lecture pour tout agent authentifié ; écriture (organisme : PATCH, guichet :
POST / PATCH) pour les administrateurs du gestionnaire du fichier, avec un
jeton de portée « écriture », par les services de ``fdls.organismes.services``.
"""

import django_filters
from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from fdls.acces.api import EstAgentAuthentifie, LectureOuAdministrateur
from fdls.organismes import services
from fdls.organismes.models import Guichet, Organisme
from fdls.socle.api.serialiseurs import RefuseChampsInconnus

# Le type, le département et le territoire d'habilitation fondent les droits
# d'accès (CCH R441-2-6) : ils se modifient dans les écrans de gestion.
CHAMPS_ORGANISME_MODIFIABLES = ["nom", "sigle", "siren", "adresse", "telephone", "email", "actif"]


class OrganismeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisme
        fields = [
            "id",
            "nom",
            "sigle",
            "type",
            "siren",
            "departement",
            "adresse",
            "telephone",
            "email",
            "actif",
            "created_at",
            "updated_at",
        ]


class OrganismeModificationSerializer(RefuseChampsInconnus, serializers.ModelSerializer):
    """Champs modifiables ; le type, le département et le territoire d'habilitation ne le sont pas ici."""

    class Meta:
        model = Organisme
        fields = CHAMPS_ORGANISME_MODIFIABLES


class GuichetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Guichet
        fields = ["id", *services.CHAMPS_GUICHET]


class GuichetEcritureSerializer(RefuseChampsInconnus, serializers.ModelSerializer):
    class Meta:
        model = Guichet
        fields = list(services.CHAMPS_GUICHET)
        extra_kwargs = {
            "code_postal": {"validators": [RegexValidator(r"^\d{5}$", "Le code postal compte 5 chiffres.")]},
        }


class GuichetModificationSerializer(GuichetEcritureSerializer):
    """Le code guichet termine les numéros uniques déjà attribués : il ne se modifie pas."""

    class Meta(GuichetEcritureSerializer.Meta):
        read_only_fields = ["code"]


class OrganismeFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=Organisme.Type.choices, help_text="Type d'organisme.")
    departement = django_filters.CharFilter(
        field_name="departement_id", help_text="Code du département de rattachement (ex. 44)."
    )

    class Meta:
        model = Organisme
        fields = ["type", "departement", "actif"]


class GuichetFilter(django_filters.FilterSet):
    commune = django_filters.CharFilter(field_name="commune_id", help_text="Code INSEE de la commune.")
    type = django_filters.ChoiceFilter(choices=Guichet.Type.choices, help_text="Type de guichet.")
    organisme = django_filters.NumberFilter(field_name="organisme_id", help_text="Identifiant de l'organisme.")

    class Meta:
        model = Guichet
        fields = ["commune", "type", "organisme", "actif"]


@extend_schema(tags=["partenaires"])
@extend_schema_view(
    list=extend_schema(summary="Organismes partenaires"),
    retrieve=extend_schema(summary="Un organisme"),
)
class OrganismeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Organisme.objects.all()
    serializer_class = OrganismeSerializer
    filterset_class = OrganismeFilter
    permission_classes = [EstAgentAuthentifie, LectureOuAdministrateur]

    @extend_schema(
        summary="Modifier un organisme",
        description="Réservé aux administrateurs du gestionnaire du fichier, jeton de portée « écriture ».",
        request=OrganismeModificationSerializer,
        responses=OrganismeSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        organisme = self.get_object()
        entree = OrganismeModificationSerializer(organisme, data=request.data, partial=True)
        entree.is_valid(raise_exception=True)
        organisme = services.modifier_organisme(
            auteur=request.user,
            organisme=organisme,
            champs=entree.validated_data,
            perimetre=organisme.perimetre.all(),
        )
        return Response(self.get_serializer(organisme).data)


@extend_schema(tags=["partenaires"])
@extend_schema_view(
    list=extend_schema(summary="Guichets d'enregistrement"),
    retrieve=extend_schema(summary="Un guichet d'enregistrement"),
)
class GuichetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Guichet.objects.all()
    serializer_class = GuichetSerializer
    filterset_class = GuichetFilter
    permission_classes = [EstAgentAuthentifie, LectureOuAdministrateur]

    @extend_schema(
        summary="Créer un guichet d'enregistrement",
        description=(
            "Réservé aux administrateurs du gestionnaire du fichier, jeton de portée « écriture ». "
            "Le code (5 chiffres) termine les numéros uniques : il ne se modifie plus ensuite."
        ),
        request=GuichetEcritureSerializer,
        responses={201: GuichetSerializer},
    )
    def create(self, request, *args, **kwargs):
        entree = GuichetEcritureSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        guichet = services.creer_guichet(auteur=request.user, champs=entree.validated_data)
        return Response(
            self.get_serializer(guichet).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": self.reverse_action("detail", args=[guichet.pk])},
        )

    @extend_schema(
        summary="Modifier un guichet d'enregistrement",
        description="Réservé aux administrateurs du gestionnaire du fichier, jeton de portée « écriture ».",
        request=GuichetModificationSerializer,
        responses=GuichetSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        guichet = self.get_object()
        entree = GuichetModificationSerializer(guichet, data=request.data, partial=True)
        entree.is_valid(raise_exception=True)
        guichet = services.modifier_guichet(auteur=request.user, guichet=guichet, champs=entree.validated_data)
        return Response(self.get_serializer(guichet).data)
