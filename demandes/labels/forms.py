"""Formulaires des labels : ajout (les labels que l'organisme peut poser) et retrait."""

from django import forms
from django.utils import timezone

from demandes.labels.models import TypeLabel
from fdls.socle.formulaires import DateChamp


class LabelForm(forms.Form):
    """Ajout d'un label : la liste ne propose que les labels que l'organisme de l'agent peut poser."""

    type = forms.ModelChoiceField(
        label="Priorité, éligibilité ou contingent",
        queryset=TypeLabel.objects.filter(actif=True),
        empty_label="Choisissez…",
        error_messages={
            "required": "Choisissez le label à ajouter.",
            "invalid_choice": "Ce label n'existe pas : choisissez-en un dans la liste.",
        },
    )
    date_pose = DateChamp(
        label="Date de pose",
        required=False,
        help_text="jj/mm/aaaa. Par défaut aujourd'hui ; la date de la décision (DALO, commission…) si elle est "
        "antérieure, jamais avant le dépôt de la demande.",
    )
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=300)

    def __init__(self, *args, types=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Le choix proposé : les labels posables ; la validation accepte tout type actif, et le service
        # refuse (message clair, tentative journalisée) un label hors des droits de l'organisme.
        self.fields["type"].choices = [("", "Choisissez…")] + [
            (t.pk, f"{t.get_famille_display()} – {t.libelle}") for t in types
        ]
        self.fields["date_pose"].initial = timezone.localdate()


class RetraitForm(forms.Form):
    motif = forms.CharField(label="Motif du retrait", required=False, max_length=300)
