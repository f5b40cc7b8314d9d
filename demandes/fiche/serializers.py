"""Sérialiseur du filtre de l'historique d'une demande (API de la fiche)."""

from rest_framework import serializers


class FiltreHistoriqueSerializer(serializers.Serializer):
    du = serializers.DateField(required=False, help_text="Événements de ce jour ou après (AAAA-MM-JJ).")
    au = serializers.DateField(required=False, help_text="Événements de ce jour ou avant (AAAA-MM-JJ).")

    def validate(self, attrs):
        if attrs.get("du") and attrs.get("au") and attrs["au"] < attrs["du"]:
            raise serializers.ValidationError({"au": ["La date de fin précède la date de début."]})
        return attrs
