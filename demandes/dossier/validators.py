"""Validateurs partagés par les modèles, formulaires et l'API des demandes."""

from django.core.exceptions import ValidationError
from django.utils import timezone


def valider_date_passee(valeur):
    if valeur and valeur > timezone.localdate():
        raise ValidationError("Cette date est dans le futur.", code="date_future")
    if valeur and valeur.year < 1900:
        raise ValidationError("Cette date est antérieure à 1900 : vérifiez l'année.", code="date_ancienne")
