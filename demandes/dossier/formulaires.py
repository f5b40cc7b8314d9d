"""Champs de formulaire du dossier, communs à la saisie, à la liste et à la fiche.

Dates tapées au clavier (jj/mm/aaaa : plus rapide qu'un calendrier au
guichet, et une saisie erronée reste affichée telle quelle avec son message),
montants à la française (« 1 450,50 »).
"""

import re

from django import forms

# Le champ date du projet (jj/mm/aaaa tapée au clavier) vit dans le socle : tous les formulaires l'emploient.
from fdls.socle.formulaires import FORMAT_DATE, MESSAGE_DATE, DateChamp, DateSaisie

__all__ = ["FORMAT_DATE", "MESSAGE_DATE", "DateChamp", "DateSaisie", "MontantField", "MESSAGE_MONTANT_NEGATIF"]

MESSAGE_MONTANT_NEGATIF = "Un montant ne peut pas être négatif."


class MontantField(forms.DecimalField):
    """Montant en euros : « 1 450,50 », « 1450.5 » ou « 1450 € » sont acceptés."""

    default_error_messages = {
        "invalid": "Saisissez un montant en euros (ex. 1 450,50).",
        "min_value": MESSAGE_MONTANT_NEGATIF,
        "max_digits": "Ce montant est trop grand : vérifiez-le.",
        "max_whole_digits": "Ce montant est trop grand : vérifiez-le.",
        "max_decimal_places": "Deux décimales au plus (les centimes).",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off", "class": "montant"})
        return attrs

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f€]", "", value).replace(",", ".")
        return super().to_python(value)
