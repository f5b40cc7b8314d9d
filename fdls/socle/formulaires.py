"""Aides partagées par les formulaires des écrans : report des erreurs des services, et le champ date
du projet.

Une seule façon de saisir une date dans tout FDLS : tapée au clavier en jj/mm/aaaa (plus rapide qu'un
calendrier au guichet ; une saisie erronée reste affichée telle quelle avec son message), avec le
format rappelé dans le libellé d'aide (``DateChamp``). Aucun ``<input type="date">``.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

FORMAT_DATE = "%d/%m/%Y"
MESSAGE_DATE = "Date impossible ou mal écrite : saisissez-la au format jj/mm/aaaa (ex. 04/09/1970)."


class DateSaisie(forms.DateInput):
    """Date tapée au clavier (jj/mm/aaaa) : plus rapide qu'un calendrier au guichet,
    et une saisie erronée reste affichée telle quelle avec son message."""

    def __init__(self, attrs=None, format=FORMAT_DATE):
        super().__init__(
            attrs={"placeholder": "jj/mm/aaaa", "autocomplete": "off", "size": 10, **(attrs or {})}, format=format
        )


class DateChamp(forms.DateField):
    """Le champ date de tous les formulaires du projet (jj/mm/aaaa, aussi 04091970, 04.09.1970, 1970-09-04)."""

    widget = DateSaisie
    input_formats = [FORMAT_DATE, "%d%m%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d"]
    default_error_messages = {"invalid": MESSAGE_DATE}


def reporter_erreurs(form: forms.Form, erreur: ValidationError, *, autres: dict[str, list] | None = None) -> None:
    """Place les erreurs d'un service sur le formulaire : chaque message sur son champ s'il y est,
    dans ``autres[champ]`` si l'écran les montre ailleurs (paliers d'un critère…), sinon en erreur générale.

    Les services lèvent ``ValidationError`` par champ (``{"motif": [...]}``) ou
    générale ; l'utilisateur retrouve le formulaire tel qu'il l'a rempli, avec
    les messages en français à leur place.
    """
    if not hasattr(erreur, "error_dict"):
        for message in erreur.messages:
            form.add_error(None, message)
        return
    for champ, messages in erreur.message_dict.items():
        for message in messages:
            if autres is not None and champ in autres:
                autres[champ].append(message)
            elif champ != NON_FIELD_ERRORS and champ in form.fields:
                form.add_error(champ, message)
            else:
                form.add_error(None, message)
