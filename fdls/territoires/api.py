"""API du référentiel territorial (lecture seule, sans donnée nominative)."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from fdls.territoires.models import Commune, Departement, Epci, Quartier


class DepartementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Departement
        fields = ["code", "nom", "region"]


class EpciSerializer(serializers.ModelSerializer):
    class Meta:
        model = Epci
        fields = ["siren", "nom", "type", "population"]


class CommuneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commune
        fields = ["code_insee", "nom", "departement", "epci", "codes_postaux", "population"]


class QuartierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Quartier
        fields = ["id", "nom", "code", "qpv", "veille", "commune"]


class EpciFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=Epci.Type.choices, help_text="Type d'EPCI.")
    departement = django_filters.CharFilter(
        method="filtrer_departement", help_text="Code du département d'au moins une commune membre (ex. 44)."
    )

    class Meta:
        model = Epci
        fields = ["type", "departement"]

    def filtrer_departement(self, queryset, name, value):
        # Sous-requête plutôt que jointure : un EPCI n'apparaît qu'une fois.
        return queryset.filter(siren__in=Commune.objects.filter(departement_id=value).values("epci_id"))


class CommuneFilter(django_filters.FilterSet):
    departement = django_filters.CharFilter(field_name="departement_id", help_text="Code du département (ex. 44).")
    epci = django_filters.CharFilter(field_name="epci_id", help_text="SIREN de l'EPCI.")
    nom = django_filters.CharFilter(
        field_name="nom", lookup_expr="istartswith", help_text="Début du nom, sans distinction de casse."
    )
    code_postal = django_filters.CharFilter(method="filtrer_code_postal", help_text="Code postal (5 chiffres).")

    class Meta:
        model = Commune
        fields = ["departement", "epci", "nom", "code_postal"]

    def filtrer_code_postal(self, queryset, name, value):
        return queryset.filter(codes_postaux__contains=[value])


class QuartierFilter(django_filters.FilterSet):
    commune = django_filters.CharFilter(field_name="commune_id", help_text="Code INSEE de la commune.")
    qpv = django_filters.BooleanFilter(help_text="Quartiers prioritaires de la politique de la ville seulement.")

    class Meta:
        model = Quartier
        fields = ["commune", "qpv"]


@extend_schema(tags=["territoires"])
@extend_schema_view(
    list=extend_schema(summary="Départements"),
    retrieve=extend_schema(summary="Un département, par son code"),
)
class DepartementViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Departement.objects.all()
    serializer_class = DepartementSerializer


@extend_schema(tags=["territoires"])
@extend_schema_view(
    list=extend_schema(summary="EPCI (métropoles, communautés)"),
    retrieve=extend_schema(summary="Un EPCI, par son SIREN"),
)
class EpciViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Epci.objects.all()
    serializer_class = EpciSerializer
    filterset_class = EpciFilter


@extend_schema(tags=["territoires"])
@extend_schema_view(
    list=extend_schema(summary="Communes"),
    retrieve=extend_schema(summary="Une commune, par son code INSEE"),
)
class CommuneViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Commune.objects.all()
    serializer_class = CommuneSerializer
    filterset_class = CommuneFilter


@extend_schema(tags=["territoires"])
@extend_schema_view(
    list=extend_schema(summary="Quartiers (dont QPV)"),
    retrieve=extend_schema(summary="Un quartier"),
)
class QuartierViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Quartier.objects.all()
    serializer_class = QuartierSerializer
    filterset_class = QuartierFilter
