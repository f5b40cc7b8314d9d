"""Formulaire de dépôt d'un fichier de parc."""

from django import forms

from offre.importation.analyse import MAX_OCTETS


class ImportForm(forms.Form):
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

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > MAX_OCTETS:
            raise forms.ValidationError(f"Le fichier dépasse {MAX_OCTETS // 2**20} Mo : découpez-le.")
        return fichier
