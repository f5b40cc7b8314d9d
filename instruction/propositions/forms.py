"""Formulaires de l'instruction d'une vacance : ils ne font que la saisie, les règles sont dans les services.

Chaque candidat de la page a ses propres formulaires : un préfixe (``c<pk>``,
``p<pk>``, ``v<pk>``) rend leurs identifiants uniques sur la page.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone

from fdls.organismes.models import Organisme
from instruction.propositions import selectors
from instruction.propositions.models import Contact, MotifRefus, Positionnement
from offre.models import TYPES_RESERVATAIRES

DATE = {"type": "date"}


def _date(label: str, *, required: bool = True, aide: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=aide,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        error_messages={"invalid": "Date invalide : jj/mm/aaaa.", "required": "Indiquez la date."},
    )


def _choix(choices, vide: str | None = None) -> list:
    return ([("", vide)] if vide is not None else []) + list(choices)


class PositionnementForm(forms.Form):
    demande = forms.CharField(
        label="Demande à positionner",
        max_length=40,
        help_text="Numéro unique (ex. 044 1226 000035 10001) ou numéro interne de la demande.",
        error_messages={"required": "Indiquez le numéro unique de la demande."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    designation = forms.ChoiceField(
        label="Désignation",
        required=False,
        choices=_choix(Positionnement.Designation.choices, "Selon mon organisme"),
    )
    reservataire = forms.ModelChoiceField(
        label="Réservataire désignataire",
        required=False,
        queryset=Organisme.objects.none(),
        empty_label="Celui dont c'est le tour",
        help_text="Pour une désignation par un réservataire, faite par le bailleur.",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["reservataire"].queryset = Organisme.objects.filter(type__in=TYPES_RESERVATAIRES).order_by("nom")

    def clean_demande(self):
        return selectors.demande_par_numero(self.user, self.cleaned_data["demande"])


class ContactForm(forms.Form):
    date = _date("Date du contact")
    etape = forms.ChoiceField(label="Étape", choices=Contact.Etape.choices, initial=Contact.Etape.PRE_CAL)
    mode = forms.ChoiceField(
        label="Mode",
        choices=_choix(Contact.Mode.choices, "— choisir —"),
        error_messages={"required": "Choisissez le mode."},
    )
    resultat = forms.ChoiceField(
        label="Résultat",
        choices=_choix(Contact.Resultat.choices, "— choisir —"),
        error_messages={"required": "Choisissez le résultat du contact."},
    )
    motif = forms.ChoiceField(
        label="Motif",
        required=False,
        choices=_choix(MotifRefus.choices, "Aucun"),
        help_text="Obligatoire si le candidat n'est pas intéressé, refuse d'être positionné "
        "ou si la proposition est écartée.",
    )
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class ContactCandidatForm(ContactForm):
    """Contact avec une demande pressentie, pas (encore) positionnée sur la vacance."""

    demande = forms.CharField(
        label="Demande contactée",
        max_length=40,
        help_text="Numéro unique (ex. 044 1226 000035 10001) ou numéro interne de la demande.",
        error_messages={"required": "Indiquez le numéro unique de la demande."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    field_order = ["demande", "date", "etape", "mode", "resultat", "motif", "commentaire"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_demande(self):
        return selectors.demande_par_numero(self.user, self.cleaned_data["demande"])


class PropositionForm(forms.Form):
    date_envoi = _date("Date d'envoi")
    date_limite = _date(
        "Réponse attendue avant le", required=False, aide="Facultatif : 10 jours après l'envoi par défaut."
    )
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_envoi"].initial = timezone.localdate()


class ReponseForm(forms.Form):
    reponse = forms.ChoiceField(
        label="Réponse du candidat",
        choices=[("accepter", "Acceptée"), ("refuser", "Refusée")],
        widget=forms.RadioSelect,
        error_messages={"required": "Indiquez la réponse du candidat."},
    )
    motif = forms.ChoiceField(
        label="Motif du refus", required=False, choices=_choix(MotifRefus.choices, "— en cas de refus —")
    )
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    date_reponse = _date("Date de la réponse", required=False, aide="Facultatif : aujourd'hui par défaut.")


class RetraitForm(forms.Form):
    motif = forms.CharField(
        label="Motif du retrait", max_length=500, error_messages={"required": "Indiquez le motif du retrait."}
    )


class VisiteForm(forms.Form):
    date_prevue = forms.DateTimeField(
        label="Date et heure de la visite",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        error_messages={"required": "Indiquez la date et l'heure.", "invalid": "Date invalide : jj/mm/aaaa hh:mm."},
    )


class BilanForm(forms.Form):
    bilan = forms.CharField(
        label="Bilan de la visite",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Indiquez le bilan de la visite."},
    )
