"""Formulaire de dépôt d'un fichier de parc."""

from django import forms

from fdls.organismes.models import Organisme
from offre.importation import services
from offre.importation.analyse import MAX_OCTETS
from offre.models import importe_pour_un_bailleur_choisi


class ImportForm(forms.Form):
    bailleur = forms.ModelChoiceField(
        label="Bailleur dont vous importez le parc",
        queryset=Organisme.objects.none(),
        empty_label="Choisissez un bailleur",
        help_text="L'import est fait pour ce bailleur ; il garde votre nom comme auteur.",
        error_messages={
            "required": "Choisissez le bailleur dont vous importez le parc.",
            "invalid_choice": "Ce bailleur n'existe pas ou n'est plus actif : choisissez-en un dans la liste.",
        },
    )
    fichier = forms.FileField(
        label="Fichier du parc (CSV ou XLSX)",
        help_text=(
            f"Une ligne par logement, les en-têtes de colonnes en première ligne ; {MAX_OCTETS // 2**20} Mo au plus."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    lignes_valides_seulement = forms.BooleanField(
        label="Si le fichier contient des erreurs, importer quand même les lignes valides",
        required=False,
        help_text="Sans cette case, rien n'est importé tant qu'une ligne est en erreur.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # L'administration du fichier choisit le bailleur ; l'instructeur d'un bailleur importe le sien.
        if importe_pour_un_bailleur_choisi(user):
            self.fields["bailleur"].queryset = services.bailleurs_importables(user)
        else:
            del self.fields["bailleur"]
        self.order_fields(["bailleur", "fichier", "lignes_valides_seulement"])

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > MAX_OCTETS:
            raise forms.ValidationError(f"Le fichier dépasse {MAX_OCTETS // 2**20} Mo : découpez-le.")
        return fichier
