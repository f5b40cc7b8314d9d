"""Aides partagées par les formulaires des écrans."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


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
