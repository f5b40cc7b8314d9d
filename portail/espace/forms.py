from django import forms

from demandes.dossier.models import Demande
from fdls.socle.formulaires import DateChamp

from .services import CHAMPS_COORDONNEES


class PeriodeForm(forms.Form):
    du = DateChamp(label="Depuis le", required=False, help_text="jj/mm/aaaa")
    au = DateChamp(label="Jusqu'au", required=False, help_text="jj/mm/aaaa")

    def clean(self):
        donnees = super().clean()
        du, au = donnees.get("du"), donnees.get("au")
        if du and au and du > au:
            self.add_error("au", "La fin de la période est avant son début : inversez les deux dates.")
        return donnees


class CoordonneesForm(forms.ModelForm):
    class Meta:
        model = Demande
        fields = CHAMPS_COORDONNEES
        labels = {
            "adresse_numero": "Numéro",
            "adresse_voie": "Voie",
            "email": "Adresse électronique de la demande",
            "courrier_souhaite": "Recevoir aussi les courriers par la poste",
        }
        error_messages = {
            "email": {"invalid": "Saisissez une adresse électronique valide, par exemple nom@exemple.fr."}
        }
        widgets = {
            "telephone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "telephone_portable": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "code_postal": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "ville": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }
