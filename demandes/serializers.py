"""Sérialiseurs de l'API des demandes (lecture seule ; l'issue « Demandes » les complète)."""

from rest_framework import serializers

from demandes.models import Demande, LocalisationSouhaitee


class LocalisationSouhaiteeSerializer(serializers.ModelSerializer):
    commune_nom = serializers.CharField(source="commune.nom", read_only=True)

    class Meta:
        model = LocalisationSouhaitee
        fields = ["rang", "commune", "commune_nom", "quartier", "date_anciennete"]


class DemandeSerializer(serializers.ModelSerializer):
    guichet_code = serializers.CharField(source="guichet.code", read_only=True)
    localisations = LocalisationSouhaiteeSerializer(many=True, read_only=True)

    class Meta:
        model = Demande
        fields = [
            "id",
            "numero_unique",
            "etat",
            "date_depot",
            "nom",
            "prenom",
            "date_naissance",
            "guichet",
            "guichet_code",
            "localisations",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
