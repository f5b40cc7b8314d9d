"""Formulaires des commissions d'attribution : la saisie seulement, les règles sont dans les services.

Chaque candidat de l'ordre du jour a ses formulaires, préfixés par la candidature (``d<pk>`` décision,
``r<pk>`` réponse, ``l<pk>`` condition levée, ``b<pk>`` bail) : identifiants uniques sur la page.
"""

from __future__ import annotations

from django import forms

from demandes.dossier.choix import TypePiece
from fdls.comptes.models import Utilisateur
from fdls.organismes.models import Organisme
from fdls.socle.formulaires import DateChamp
from instruction.commissions.models import DecisionCal, Examen, MotifDecision, Vote
from instruction.commissions.services import Saisie
from instruction.propositions.models import MotifRefus
from offre.models import TYPES_RESERVATAIRES


def _choix(choices, vide: str) -> list:
    return [("", vide), *choices]


class CommissionForm(forms.Form):
    nom = forms.CharField(label="Nom de la commission", max_length=100, error_messages={"required": "Indiquez le nom."})
    quorum = forms.IntegerField(
        label="Quorum (membres à voix délibérative)",
        min_value=1,
        max_value=50,
        initial=3,
        error_messages={"required": "Indiquez le quorum.", "min_value": "Le quorum est d'au moins 1 membre."},
    )
    majorite = forms.IntegerField(
        label="Majorité requise (% des voix exprimées)",
        min_value=0,
        max_value=99,
        initial=50,
        help_text="50 : une proposition est adoptée avec plus de la moitié des voix.",
    )
    membres = forms.ModelMultipleChoiceField(label="Membres", queryset=Utilisateur.objects.none(), required=False)
    reservataires = forms.ModelMultipleChoiceField(
        label="Réservataires invités", queryset=Organisme.objects.none(), required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reservataires"].queryset = Organisme.objects.filter(type__in=TYPES_RESERVATAIRES).order_by("nom")
        self.fields["membres"].queryset = Utilisateur.objects.filter(
            organisme=getattr(user, "organisme_id", None), is_active=True
        ).order_by("last_name", "first_name")


class SeanceForm(forms.Form):
    commission = forms.ModelChoiceField(
        label="Commission", queryset=None, empty_label=None, error_messages={"required": "Choisissez la commission."}
    )
    date_seance = DateChamp(label="Date de la séance")
    lieu = forms.CharField(label="Lieu", max_length=200, required=False, help_text="Vide pour une séance à distance.")
    a_distance = forms.BooleanField(label="Séance à distance (vote dématérialisé)", required=False)

    def __init__(self, *args, commissions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commission"].queryset = commissions


class InscriptionForm(forms.Form):
    disponibilite = forms.ModelChoiceField(
        label="Logement vacant",
        queryset=None,
        empty_label="— choisir —",
        error_messages={"required": "Choisissez le logement à inscrire."},
    )
    moins_de_trois = forms.ChoiceField(
        label="Raison si moins de trois candidats",
        required=False,
        choices=_choix(Examen.MoinsDeTrois.choices, "Aucune (trois candidats ou plus)"),
        help_text="CCH R441-3 : la commission examine au moins trois demandes par logement, sauf exception.",
    )
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, vacances=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disponibilite"].queryset = vacances
        self.fields["disponibilite"].label_from_instance = lambda d: (
            f"{d.logement} – disponible le {d.date_disponibilite:%d/%m/%Y}"
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision",
        choices=_choix(DecisionCal.choices, "— choisir —"),
        error_messages={"required": "Choisissez la décision de la commission."},
    )
    rang = forms.IntegerField(
        label="Rang",
        required=False,
        min_value=1,
        max_value=20,
        help_text="Attribution par ordre de priorité ou sous condition : 1 pour le premier classé.",
        error_messages={"min_value": "Le rang commence à 1.", "invalid": "Le rang est un nombre."},
    )
    motif = forms.ChoiceField(
        label="Motif",
        required=False,
        choices=_choix(MotifDecision.choices, "Aucun"),
        help_text="Obligatoire pour une non-attribution ou une irrecevabilité.",
    )
    piece_manquante = forms.ChoiceField(
        label="Pièce manquante (condition suspensive)", required=False, choices=_choix(TypePiece.choices, "Aucune")
    )
    date_limite = DateChamp(label="Pièce à fournir au plus tard le", required=False)
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def saisie(self) -> Saisie:
        d = self.cleaned_data
        return Saisie(
            decision=d["decision"],
            rang=d["rang"],
            motif=d["motif"],
            commentaire=d["commentaire"],
            piece_manquante=d["piece_manquante"],
            date_limite=d["date_limite"],
        )


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
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=500)
    date_reponse = DateChamp(label="Date de la réponse", required=False)

    def clean(self):
        donnees = super().clean()
        if donnees.get("reponse") == "refuser" and not donnees.get("motif"):
            self.add_error("motif", "Indiquez le motif du refus.")
        return donnees


class ConditionForm(forms.Form):
    recue_le = DateChamp(label="Pièce reçue le")


class BailForm(forms.Form):
    signe_le = DateChamp(label="Bail signé le")
    entree_le = DateChamp(label="Entrée dans les lieux le")


class VoteForm(forms.Form):
    choix = forms.ChoiceField(
        label="Votre vote",
        choices=Vote.Choix.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez votre vote."},
    )
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=500)


class ObjectifForm(forms.Form):
    reservataire = forms.ModelChoiceField(label="Réservataire", queryset=None, empty_label="— choisir —")
    annee = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    objectif = forms.IntegerField(label="Objectif d'attributions", min_value=0, max_value=100000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reservataire"].queryset = Organisme.objects.filter(type__in=TYPES_RESERVATAIRES).order_by("nom")
