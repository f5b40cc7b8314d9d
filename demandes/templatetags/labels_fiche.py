"""Bloc « Compléments : priorités, éligibilités, contingents » de la fiche d'une demande.

Une étiquette d'inclusion plutôt qu'un contexte de la vue de la fiche : le
bloc se lit et s'inclut seul (``{% load labels_fiche %}{% bloc_labels demande %}``).
"""

from django import template

from demandes.dossier.models import Demande
from demandes.labels import services as labels
from demandes.labels.forms import LabelForm, RetraitForm

register = template.Library()


@register.inclusion_tag("demandes/labels/_fiche.html", takes_context=True)
def bloc_labels(context, demande):
    request = context["request"]
    user = request.user
    types = labels.types_posables(user)
    posables = {t.pk for t in types}
    tous = labels.labels_de(demande)
    for label in tous["actifs"]:
        label.retirable = label.type_id in posables
    active = demande.etat == Demande.Etat.ACTIVE
    return {
        "demande": demande,
        "actifs": tous["actifs"],
        "retires": tous["retires"],
        "form": LabelForm(types=types, auto_id="id_label_%s") if (types and active) else None,
        "form_retrait": RetraitForm(),
        "active": active,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
