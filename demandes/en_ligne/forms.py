"""Formulaires de l'examen d'une demande en ligne : validation (identité vérifiée, guichet) et rejet motivé."""

from django import forms

from fdls.organismes.models import Guichet


class ValidationForm(forms.Form):
    identite_verifiee = forms.BooleanField(
        label="Identité du demandeur vérifiée",
        required=False,
        help_text="La pièce d'identité jointe est lisible, en cours de validité et correspond au demandeur.",
    )
    guichet = forms.ModelChoiceField(
        label="Guichet d'enregistrement",
        queryset=Guichet.objects.none(),
        empty_label=None,
        help_text="Son code termine le numéro unique attribué à la validation.",
    )

    def __init__(self, *args, user, demande, **kwargs):
        super().__init__(*args, **kwargs)
        guichets = Guichet.objects.filter(
            organisme_id=user.organisme_id, type=Guichet.Type.ACCOMPAGNATEUR, actif=True
        ).order_by("nom")
        self.fields["guichet"].queryset = guichets
        if demande.guichet_id and guichets.filter(pk=demande.guichet_id).exists():
            self.fields["guichet"].initial = demande.guichet_id


class RejetForm(forms.Form):
    motif = forms.CharField(
        label="Motif du rejet",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Conservé dans l'historique et expliqué au demandeur (pièce d'identité illisible, doublon…).",
    )
