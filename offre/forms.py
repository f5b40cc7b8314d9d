"""Formulaires du parc : programme, logement, vacance, changement d'état, import.

Ils ne font que la saisie ; les règles de cohérence sont dans les modèles
(``clean``) et les écritures dans ``offre/services.py``.
"""

from django import forms
from django.core.exceptions import ValidationError

from fdls.organismes.forms import CommuneField
from fdls.socle.formulaires import DateChamp
from fdls.territoires.models import Quartier
from offre import selectors
from offre.models import WORKFLOW_DISPONIBILITE, Disponibilite, EtatDisponibilite, Label, Logement, Programme
from offre.services import CHAMPS_LOGEMENT, CHAMPS_PROGRAMME, verifier_date_disponibilite

ENTIER = {"inputmode": "numeric", "autocomplete": "off"}


def _choix(champ, vide: str | None = None) -> list:
    """Choix d'un champ sans l'option vide de Django, précédés de ``vide`` s'il est donné."""
    choix = [(valeur, libelle) for valeur, libelle in champ.choices if valeur != ""]
    return ([("", vide)] if vide is not None else []) + choix


DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


class ProgrammeForm(forms.ModelForm):
    commune = CommuneField(
        label="Commune",
        help_text="Nom ou code INSEE (ex. Nantes ou 44109).",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = Programme
        fields = list(CHAMPS_PROGRAMME)
        widgets = {
            "code": forms.TextInput(attrs={"autocomplete": "off"}),
            "annee_construction": forms.TextInput(attrs=ENTIER),
        }
        help_texts = {"quartier": "Facultatif. Un quartier prioritaire (QPV) place la résidence en QPV."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quartier"].queryset = Quartier.objects.select_related("commune").order_by("commune__nom", "nom")
        self.fields["quartier"].empty_label = "Aucun quartier particulier"
        self.fields["financement"].choices = _choix(self.fields["financement"], "Mixte ou non précisé")
        if self.instance.pk:
            # Le code identifie le programme dans les fichiers d'import : il ne change plus.
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "Le code identifie le programme dans les imports : il ne se modifie pas."

    def champs(self) -> dict:
        return {nom: self.cleaned_data[nom] for nom in self.Meta.fields if nom in self.cleaned_data}


class LogementForm(forms.ModelForm):
    labels = forms.MultipleChoiceField(
        label="Offre spécifique",
        choices=Label.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Logement
        fields = ["programme", *CHAMPS_LOGEMENT]
        widgets = {
            "code": forms.TextInput(attrs={"autocomplete": "off"}),
            "surface": forms.TextInput(attrs=DECIMAL),
            "etage": forms.TextInput(attrs=ENTIER),
            "loyer": forms.TextInput(attrs=DECIMAL),
            "charges": forms.TextInput(attrs=DECIMAL),
            "typologie": forms.Select,
            "categorie": forms.RadioSelect,
            "nature": forms.RadioSelect,
            "accessibilite": forms.RadioSelect,
        }
        help_texts = {
            "loyer": "Loyer mensuel hors charges, en euros (ex. 412,30).",
            "surface": "En m² (ex. 68,5).",
        }

    def __init__(self, *args, bailleur_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["programme"]
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "Le code identifie le logement dans les imports : il ne se modifie pas."
        else:
            self.fields["programme"].queryset = selectors.programmes_du_bailleur(bailleur_id)
            self.fields["programme"].empty_label = "Choisir un programme"
        self.fields["typologie"].choices = _choix(self.fields["typologie"], "Choisir une typologie")
        self.fields["financement"].choices = _choix(self.fields["financement"], "Choisir un financement")
        self.fields["accessibilite"].choices = _choix(self.fields["accessibilite"], "Non accessible")
        self.fields["dpe"].choices = _choix(self.fields["dpe"], "Non renseigné")
        self.fields["categorie"].choices = _choix(self.fields["categorie"])
        self.fields["nature"].choices = _choix(self.fields["nature"])
        self.fields["reservataire"].queryset = selectors.reservataires()
        self.fields["reservataire"].empty_label = "Non réservé (bailleur)"
        # Pas de maxlength : le navigateur tronquerait sans rien dire ; la validation explique.
        for nom in ("surface", "loyer", "charges", "etage"):
            self.fields[nom].localize = True
            self.fields[nom].widget.is_localized = True

    def champs(self) -> dict:
        return {nom: self.cleaned_data[nom] for nom in CHAMPS_LOGEMENT if nom in self.cleaned_data}


class DisponibiliteForm(forms.ModelForm):
    class Meta:
        model = Disponibilite
        fields = ["date_disponibilite", "motif", "reservataire", "commentaire"]
        widgets = {
            "motif": forms.RadioSelect,
            "commentaire": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"date_disponibilite": DateChamp}
        help_texts = {"date_disponibilite": "Date à laquelle le logement pourra être loué (jj/mm/aaaa)."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["motif"].choices = _choix(self.fields["motif"])
        self.fields["reservataire"].queryset = selectors.reservataires()
        self.fields["reservataire"].empty_label = "Le bailleur (candidat proposé par le bailleur)"

    def clean_date_disponibilite(self):
        # Le contrôle du service, ici pour que le message soit sur le champ (avant la contrainte en base).
        valeur = self.cleaned_data.get("date_disponibilite")
        try:
            verifier_date_disponibilite(valeur)
        except ValidationError as erreur:
            raise ValidationError(erreur.message_dict["date_disponibilite"]) from None
        return valeur

    def champs(self) -> dict:
        return dict(self.cleaned_data)


class TransitionForm(forms.Form):
    etat = forms.ChoiceField(label="Nouvel état", widget=forms.RadioSelect)
    motif = forms.CharField(
        label="Motif",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour remettre à pourvoir ou retirer la vacance.",
    )

    def __init__(self, *args, disponibilite: Disponibilite, **kwargs):
        super().__init__(*args, **kwargs)
        self.disponibilite = disponibilite
        self.fields["etat"].choices = [
            (etat, f"{libelle} (→ {EtatDisponibilite(etat).label.lower()})")
            for etat, libelle in disponibilite.transitions_possibles().items()
        ]
        self.auto_id = f"id_transition_{disponibilite.pk}_%s"

    def clean(self):
        donnees = super().clean()
        etat = donnees.get("etat")
        if not etat or (donnees.get("motif") or "").strip():
            return donnees
        if any(t.motif_obligatoire for t in WORKFLOW_DISPONIBILITE.possibles(self.disponibilite) if t.cible == etat):
            self.add_error("motif", "Indiquez le motif de ce changement d'état.")
        return donnees
