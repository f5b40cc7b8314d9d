"""Sérialiseurs des grilles de cotation (API en lecture seule)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cotation.calcul.models import Critere, Famille, Grille


class GrilleResumeSerializer(serializers.ModelSerializer):
    epci_nom = serializers.CharField(source="epci.nom", read_only=True)

    class Meta:
        model = Grille
        fields = ["id", "epci", "epci_nom", "version", "libelle", "etat", "date_effet", "date_fin"]
        read_only_fields = fields


class PalierSerializer(serializers.Serializer):
    min = serializers.IntegerField(help_text="Borne basse, incluse.")
    max = serializers.IntegerField(allow_null=True, default=None, help_text="Borne haute, exclue (null : sans borne).")
    points = serializers.IntegerField()
    duree_mois = serializers.IntegerField(allow_null=True, default=None, help_text="Durée des points, en mois.")
    libelle = serializers.CharField(default="", help_text="Libellé du livret.")


class CritereSerializer(serializers.ModelSerializer):
    famille = serializers.CharField(source="famille.code", read_only=True)
    parametres = serializers.DictField(read_only=True, help_text="Paramètres de la règle nommée.")
    paliers = PalierSerializer(many=True, read_only=True)

    class Meta:
        model = Critere
        fields = [
            "id",
            "code",
            "famille",
            "libelle",
            "regle",
            "parametres",
            "points",
            "paliers",
            "duree_mois",
            "exclu_si",
            "exclu_si_familles",
            "mention_exclusion",
            "ordre",
        ]
        read_only_fields = fields


class FamilleSerializer(serializers.ModelSerializer):
    criteres = serializers.SerializerMethodField()

    class Meta:
        model = Famille
        fields = ["id", "code", "libelle", "ordre", "cumul", "exclue_si_familles", "criteres"]
        read_only_fields = fields

    @extend_schema_field(CritereSerializer(many=True))
    def get_criteres(self, obj) -> list[dict]:
        criteres = self.context.get("criteres", {}).get(obj.pk, [])
        return CritereSerializer(criteres, many=True).data


class GrilleSerializer(serializers.ModelSerializer):
    epci_nom = serializers.CharField(source="epci.nom", read_only=True)

    class Meta:
        model = Grille
        fields = [
            "id",
            "epci",
            "epci_nom",
            "version",
            "libelle",
            "etat",
            "date_effet",
            "date_fin",
            "deliberation",
            "total_plancher",
            "creee_depuis",
        ]
        read_only_fields = fields


class GrilleDetailSerializer(GrilleSerializer):
    familles = serializers.SerializerMethodField()

    class Meta(GrilleSerializer.Meta):
        fields = [*GrilleSerializer.Meta.fields, "introduction", "familles"]
        read_only_fields = fields

    @extend_schema_field(FamilleSerializer(many=True))
    def get_familles(self, obj) -> list[dict]:
        criteres: dict[int, list] = {}
        for c in obj.criteres.select_related("famille").order_by("ordre", "id"):
            criteres.setdefault(c.famille_id, []).append(c)
        return FamilleSerializer(obj.familles.all(), many=True, context={"criteres": criteres}).data
