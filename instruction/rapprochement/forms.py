"""Filtres de la recherche de candidats (critères de l'écran « Recherche demandeur » d'Imhoweb, seed 004)
et champ de l'explication d'une exclusion. Formulaires GET : les critères restent dans l'adresse."""

from django import forms

from demandes.dossier import choix
from demandes.models import TypeLabel

BESOINS = [
    ("rez_de_chaussee", "Exige un rez-de-chaussée"),
    ("ascenseur", "N'accepte pas d'étage sans ascenseur"),
    ("adapte_handicap", "Logement adapté au handicap"),
]
OUI_NON = [("", "Indifférent"), ("oui", "Oui"), ("non", "Non")]


class FiltresCandidats(forms.Form):
    # --- Logement recherché
    typologies = forms.MultipleChoiceField(
        label="Typologies demandées",
        choices=choix.Typologie.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Par défaut, la typologie du logement.",
    )
    categories = forms.MultipleChoiceField(
        label="Catégorie recherchée",
        choices=choix.CategorieRecherchee.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    parking = forms.ChoiceField(label="Souhaite un parking", choices=OUI_NON, required=False)
    besoins = forms.MultipleChoiceField(
        label="Facilités d'accès demandées",
        choices=BESOINS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Seulement les demandes qui ont ces besoins.",
    )
    rang_max = forms.IntegerField(label="N° de choix de la commune au plus", min_value=1, max_value=20, required=False)
    quartier_seul = forms.BooleanField(label="Seulement les demandes qui ont choisi le quartier", required=False)
    # --- Demande
    natures = forms.MultipleChoiceField(
        label="Nature du ménage",
        choices=choix.NatureDemande.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contingent = forms.ModelChoiceField(
        label="Label ou contingent",
        queryset=TypeLabel.objects.filter(actif=True),
        required=False,
        empty_label="Tous",
    )
    propositions_max = forms.IntegerField(
        label="Propositions reçues : moins de", min_value=1, max_value=50, required=False
    )
    depot_du = forms.DateField(label="Déposée du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    depot_au = forms.DateField(label="au", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    points_min = forms.IntegerField(label="Cotation : de", min_value=-1000, max_value=10000, required=False)
    points_max = forms.IntegerField(label="à", min_value=-1000, max_value=10000, required=False)
    # --- Logement actuel, activité
    statut_occupation = forms.ChoiceField(
        label="Logement actuel", choices=[("", "Tous"), *choix.StatutOccupation.choices], required=False
    )
    activite = forms.ChoiceField(
        label="Activité du demandeur", choices=[("", "Toutes"), *choix.Activite.choices], required=False
    )
    # --- Ressources
    pct_plafond_min = forms.IntegerField(
        label="Ressources en % du plafond : de", min_value=0, max_value=300, required=False
    )
    pct_plafond_max = forms.IntegerField(label="à (%)", min_value=0, max_value=300, required=False)
    ressources_min = forms.DecimalField(
        label="Ressources mensuelles : de (€)", min_value=0, max_value=100000, decimal_places=2, required=False
    )
    ressources_max = forms.DecimalField(label="à (€)", min_value=0, max_value=100000, decimal_places=2, required=False)
    loyer_souhaite = forms.BooleanField(label="Loyer dans le maximum souhaité par le demandeur", required=False)
    taux_effort_max = forms.IntegerField(
        label="Taux d'effort au plus (%)",
        min_value=1,
        max_value=100,
        required=False,
        help_text="Loyer et charges rapportés aux ressources mensuelles du ménage.",
    )
    # --- Occupant
    handicap = forms.BooleanField(label="Une personne du ménage en situation de handicap", required=False)
    nom = forms.CharField(label="Nom du demandeur (début)", max_length=150, required=False)

    def clean(self):
        donnees = super().clean()
        for debut, fin, message in (
            ("depot_du", "depot_au", "La date de fin précède la date de début du dépôt."),
            ("points_min", "points_max", "Le nombre de points maximum est inférieur au minimum."),
            ("pct_plafond_min", "pct_plafond_max", "Le pourcentage maximum du plafond est inférieur au minimum."),
            ("ressources_min", "ressources_max", "Les ressources maximum sont inférieures au minimum."),
        ):
            if donnees.get(debut) is not None and donnees.get(fin) is not None and donnees[fin] < donnees[debut]:
                self.add_error(fin, message)
        return donnees


class ExplicationForm(forms.Form):
    pourquoi = forms.CharField(
        label="Pourquoi cette demande n'est-elle pas proposée ?",
        max_length=150,
        required=False,
        help_text="Numéro unique (complet, avec ou sans espaces) ou nom du demandeur.",
    )
