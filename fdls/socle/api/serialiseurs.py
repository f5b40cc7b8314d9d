"""Aides des sérialiseurs d'écriture de l'API (communes à toutes les applications)."""

from collections.abc import Mapping

from rest_framework import serializers


class RefuseChampsInconnus:
    """Mixin de sérialiseur d'écriture : un champ inconnu ou non modifiable est
    signalé, plutôt qu'ignoré en silence (le partenaire croirait l'avoir écrit)."""

    CLES_TECHNIQUES = frozenset({"csrfmiddlewaretoken"})

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if isinstance(self.initial_data, Mapping):
            modifiables = {nom for nom, champ in self.fields.items() if not champ.read_only}
            inconnus = sorted(set(self.initial_data) - modifiables - self.CLES_TECHNIQUES)
            if inconnus:
                raise serializers.ValidationError(dict.fromkeys(inconnus, "Champ inconnu ou non modifiable."))
        return attrs
