from django import forms

from fdls.territoires.models import Commune, Epci

from .models import ChiffresTerritoire


class TerritoireForm(forms.Form):
    commune = forms.ChoiceField(label="Commune", required=False)
    epci = forms.ChoiceField(label="ou intercommunalité (EPCI)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        communes = Commune.objects.order_by("nom")
        self.fields["commune"].choices = [("", "Choisissez une commune")] + list(
            communes.values_list("code_insee", "nom")
        )
        self.fields["epci"].choices = [("", "Choisissez un EPCI")] + list(
            Epci.objects.order_by("nom").values_list("siren", "nom")
        )

    def clean(self):
        donnees = super().clean()
        if not donnees.get("commune") and not donnees.get("epci"):
            raise forms.ValidationError("Choisissez une commune ou une intercommunalité.")
        return donnees

    def territoire(self) -> tuple[str, str]:
        if self.cleaned_data.get("commune"):
            return ChiffresTerritoire.Territoire.COMMUNE, self.cleaned_data["commune"]
        return ChiffresTerritoire.Territoire.EPCI, self.cleaned_data["epci"]
