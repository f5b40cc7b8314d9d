"""Formulaires des pièces justificatives : dépôt (type, personne, fichier) et obsolescence."""

from __future__ import annotations

from django import forms

from demandes.dossier import choix
from demandes.dossier.models import Demande, Personne
from demandes.pieces import services as pieces


class DepotPieceForm(forms.Form):
    type = forms.ChoiceField(
        label="Type de pièce",
        choices=[("", "Choisissez le type de pièce")] + list(choix.TypePiece.choices),
        error_messages={
            "required": "Choisissez le type de pièce.",
            "invalid_choice": "Choisissez un type de pièce de la liste.",
        },
    )
    personne = forms.ModelChoiceField(
        label="Personne concernée",
        queryset=Personne.objects.none(),
        required=False,
        empty_label="Le dossier (ou le demandeur)",
        help_text="Pièce d'identité et avis d'imposition sans personne choisie : ceux du demandeur.",
        error_messages={"invalid_choice": "Choisissez une personne du ménage."},
    )
    fichier = forms.FileField(
        label="Fichier",
        help_text=None,
        error_messages={
            "required": "Choisissez le fichier de la pièce.",
            "empty": "Le fichier est vide : déposez le document numérisé.",
            "invalid": "Aucun fichier reçu : choisissez à nouveau le fichier.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, demande: Demande, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["personne"].queryset = Personne.objects.filter(demande=demande).order_by("rang", "id")
        self.fields["personne"].label_from_instance = lambda p: f"{p.nom.upper()} {p.prenom} ({p.get_role_display()})"
        maximum = pieces.taille_lisible(pieces.taille_max())
        self.fields["fichier"].help_text = f"PDF, JPEG ou PNG, {maximum} au plus ; le contenu du fichier est vérifié."


class ObsolescenceForm(forms.Form):
    motif = forms.CharField(
        label="Motif de l'obsolescence",
        max_length=500,
        help_text="Par exemple : avis d'imposition d'une année ancienne, pièce d'identité expirée.",
        error_messages={"required": "Indiquez pourquoi la pièce est obsolète."},
    )
