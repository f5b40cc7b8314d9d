from django import forms

from demandes.dossier.reglementaire import Zone


def _entier(label: str, *, minimum: int, maximum: int, requis: str = "", **kwargs) -> forms.IntegerField:
    """Un nombre entier saisi, avec ses messages d'erreur en français ; ``requis`` : message si vide (sinon
    facultatif)."""
    messages = {
        "min_value": f"Le nombre indiqué est trop bas ({minimum} au moins).",
        "max_value": f"Le nombre indiqué est trop élevé ({maximum} au plus).",
        "invalid": "Indiquez un nombre en chiffres.",
    }
    if requis:
        messages["required"] = requis
    return forms.IntegerField(
        label=label, min_value=minimum, max_value=maximum, required=bool(requis), error_messages=messages, **kwargs
    )


class EligibiliteForm(forms.Form):
    couple = forms.TypedChoiceField(
        label="Vous demandez un logement",
        choices=[("0", "seul(e)"), ("1", "en couple (avec votre conjoint, concubin ou partenaire de PACS)")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="0",
        error_messages={"required": "Indiquez si vous demandez seul(e) ou en couple."},
    )
    age_demandeur = _entier("Votre âge", minimum=16, maximum=120, requis="Indiquez votre âge.")
    age_conjoint = _entier(
        "Âge de votre conjoint", minimum=16, maximum=120, help_text="Seulement si vous demandez en couple."
    )
    a_charge = _entier(
        "Personnes à charge (enfants, enfants à naître compris)",
        minimum=0,
        maximum=15,
        initial=0,
        requis="Indiquez le nombre de personnes à charge (0 si aucune).",
    )
    autres_adultes = _entier(
        "Autres personnes qui vivront avec vous, non à charge",
        minimum=0,
        maximum=10,
        initial=0,
        requis="Indiquez le nombre d'autres personnes (0 si aucune).",
    )
    handicap = forms.BooleanField(label="Une personne du ménage est en situation de handicap", required=False)
    rfr = forms.DecimalField(
        label="Revenu fiscal de référence du ménage (en euros)",
        min_value=0,
        max_digits=10,
        decimal_places=0,
        help_text="La somme des revenus fiscaux de référence de toutes les personnes du ménage, sur l'avis "
        "d'imposition de l'avant-dernière année (l'année dernière si vos revenus ont baissé d'au moins 10 %).",
        error_messages={
            "required": "Indiquez le revenu fiscal de référence (0 si aucun revenu).",
            "min_value": "Le revenu ne peut pas être négatif.",
            "invalid": "Indiquez un montant en euros, sans centimes (ex. 18500).",
            "max_decimal_places": "Indiquez un montant en euros, sans centimes (ex. 18500).",
        },
    )
    zone = forms.ChoiceField(
        label="Où cherchez-vous un logement ?",
        choices=Zone.choices,
        initial=Zone.AUTRES,
        error_messages={"required": "Choisissez la zone."},
    )

    MENAGE = ("couple", "age_demandeur", "age_conjoint", "a_charge", "autres_adultes", "handicap")

    def clean(self):
        donnees = super().clean()
        if donnees.get("couple") and not donnees.get("age_conjoint"):
            self.add_error("age_conjoint", "Indiquez l'âge de votre conjoint (il compte pour la catégorie du ménage).")
        return donnees

    def menage(self) -> dict:
        return {cle: self.cleaned_data[cle] for cle in self.MENAGE}


class CommuneForm(forms.Form):
    commune = forms.ChoiceField(label="Commune", required=False)

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", "Toutes les communes")] + [(c.pk, c.nom) for c in communes]
