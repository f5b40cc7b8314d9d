"""Formulaires de gestion des grilles : la saisie est contrôlée ici (forme), puis par les services de
``cotation.grilles.services`` (règles de la grille) qui rendent leurs erreurs par champ."""

from __future__ import annotations

import json

from django import forms
from django.utils import timezone

from cotation import acces as acces_cotation
from cotation.calcul.models import Famille, Grille
from cotation.calcul.regles import REGLES
from fdls.socle.formulaires import DateChamp
from fdls.territoires.models import Epci

ENTIER = {"invalid": "Saisissez un nombre entier."}


class CreationForm(forms.Form):
    epci = forms.ModelChoiceField(
        label="Territoire (EPCI)",
        queryset=Epci.objects.none(),
        empty_label="Choisissez…",
        error_messages={"required": "Choisissez le territoire de la grille."},
    )
    libelle = forms.CharField(
        label="Intitulé", max_length=200, error_messages={"required": "Indiquez l'intitulé de la grille."}
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["epci"].queryset = acces_cotation.epcis_geres(user).order_by("nom")


class GrilleForm(forms.ModelForm):
    class Meta:
        model = Grille
        fields = ["libelle", "deliberation", "total_plancher", "introduction"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 5})}
        error_messages = {"total_plancher": ENTIER, "libelle": {"required": "Indiquez l'intitulé de la grille."}}


def _choix_familles(grille, *, sauf=None):
    return [(f.code, f.libelle) for f in grille.familles.all() if sauf is None or f.pk != sauf.pk]


class FamilleForm(forms.Form):
    libelle = forms.CharField(
        label="Libellé", max_length=150, error_messages={"required": "Indiquez le libellé de la famille."}
    )
    cumul = forms.ChoiceField(label="Cumul des points", choices=Famille.Cumul.choices, widget=forms.RadioSelect)
    ordre = forms.IntegerField(
        label="Ordre",
        min_value=0,
        max_value=32000,
        help_text="Les familles sont appliquées et affichées dans l'ordre croissant.",
        error_messages=ENTIER,
    )
    exclue_si_familles = forms.MultipleChoiceField(
        label="Sans points si une de ces familles en donne",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="« Priorités État <em>ou</em> priorités locales » : la famille exclue doit venir après.",
    )

    def __init__(self, *args, grille, famille=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exclue_si_familles"].choices = _choix_familles(grille, sauf=famille)


class AjoutFamilleForm(FamilleForm):
    code = forms.SlugField(
        label="Code",
        max_length=40,
        help_text="Lettres minuscules, chiffres et tirets ; il ne change plus ensuite.",
        error_messages={"invalid": "Le code est fait de lettres minuscules sans accent, de chiffres et de tirets."},
    )
    field_order = ["code", "libelle", "cumul", "ordre", "exclue_si_familles"]


class CritereForm(forms.Form):
    famille = forms.ModelChoiceField(label="Famille", queryset=Famille.objects.none(), empty_label=None)
    libelle = forms.CharField(
        label="Libellé pour le demandeur",
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Indiquez le libellé que le demandeur lira."},
    )
    points = forms.IntegerField(
        label="Points",
        min_value=-100,
        max_value=100,
        help_text="Négatif pour une décote. Ignoré pour une règle par paliers (les points sont ceux du palier).",
        error_messages=ENTIER,
    )
    duree_mois = forms.IntegerField(
        label="Points limités à (mois)",
        required=False,
        min_value=1,
        max_value=240,
        help_text="Laisser vide pour des points sans limite de temps.",
        error_messages=ENTIER,
    )
    ordre = forms.IntegerField(label="Ordre dans la famille", min_value=0, max_value=32000, error_messages=ENTIER)
    exclu_si = forms.MultipleChoiceField(
        label="Sauf si ces critères comptent",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Un critère n'est exclu que par un critère qui le précède dans la grille.",
    )
    exclu_si_familles = forms.MultipleChoiceField(
        label="Sauf si ces familles comptent", required=False, widget=forms.CheckboxSelectMultiple
    )
    mention_exclusion = forms.CharField(
        label="Mention « sauf si… » du livret",
        max_length=300,
        required=False,
        help_text="Ex. « sauf si vous bénéficiez de points pour le critère… ».",
    )
    parametres = forms.CharField(
        label="Paramètres de la règle (JSON)",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "chasse-fixe", "spellcheck": "false"}),
    )

    def __init__(self, *args, grille, critere=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.grille = grille
        self.fields["famille"].queryset = grille.familles.all()
        autres = grille.criteres.select_related("famille")
        if critere is not None:
            autres = autres.exclude(pk=critere.pk)
        self.fields["exclu_si"].choices = [(c.code, f"{c.libelle} ({c.famille.libelle})") for c in autres]
        self.fields["exclu_si_familles"].choices = _choix_familles(grille)
        regle = critere.regle if critere is not None else (self.data.get(self.add_prefix("regle")) or "")
        self.aide_parametres(regle)

    def aide_parametres(self, regle: str) -> None:
        description = REGLES.get(regle)
        if description is not None:
            self.fields[
                "parametres"
            ].help_text = f"Règle « {description.libelle} » : un objet JSON, ex. <code>{description.parametres}</code>."
        else:
            self.fields["parametres"].help_text = "Un objet JSON, selon la règle (voir la liste des règles)."

    def clean_parametres(self):
        texte = self.cleaned_data.get("parametres") or ""
        if not texte.strip():
            return {}
        try:
            valeur = json.loads(texte)
        except json.JSONDecodeError as erreur:
            raise forms.ValidationError(
                f"JSON invalide (ligne {erreur.lineno}, colonne {erreur.colno}) : vérifiez les guillemets droits "
                '" autour des textes, les virgules et les accolades.'
            ) from None
        if not isinstance(valeur, dict):
            raise forms.ValidationError("Les paramètres sont un objet JSON entre accolades { … }.")
        return valeur


class AjoutCritereForm(CritereForm):
    code = forms.SlugField(
        label="Code",
        max_length=60,
        help_text="Lettres minuscules, chiffres et tirets ; il sert aux exclusions et ne change plus ensuite.",
        error_messages={"invalid": "Le code est fait de lettres minuscules sans accent, de chiffres et de tirets."},
    )
    regle = forms.ChoiceField(
        label="Règle d'évaluation",
        choices=[("", "Choisissez…")] + [(code, d.libelle) for code, d in REGLES.items()],
        help_text="Ce que le critère lit dans la demande ; elle ne change plus ensuite.",
        error_messages={"required": "Choisissez la règle d'évaluation."},
    )
    field_order = ["famille", "code", "regle", "libelle"]


class PalierForm(forms.Form):
    """Une ligne du tableau des paliers ; une ligne vide est ignorée."""

    min = forms.IntegerField(label="À partir de", required=False, error_messages=ENTIER)
    max = forms.IntegerField(label="Jusqu'à (exclu)", required=False, error_messages=ENTIER)
    points = forms.IntegerField(label="Points", required=False, min_value=-100, max_value=100, error_messages=ENTIER)
    duree_mois = forms.IntegerField(
        label="Durée (mois)", required=False, min_value=1, max_value=240, error_messages=ENTIER
    )
    libelle = forms.CharField(label="Libellé du livret", required=False, max_length=200)

    def clean(self):
        donnees = super().clean()
        if self.errors or self.est_vide():
            return donnees
        if donnees.get("min") is None:
            self.add_error("min", "Indiquez la borne basse du palier.")
        if donnees.get("points") is None:
            self.add_error("points", "Indiquez les points du palier.")
        return donnees

    def est_vide(self) -> bool:
        d = getattr(self, "cleaned_data", {})
        return all(d.get(c) in (None, "") for c in ("min", "max", "points", "duree_mois", "libelle"))

    def palier(self) -> dict | None:
        if self.cleaned_data.get("DELETE") or self.est_vide():
            return None
        d = self.cleaned_data
        palier = {"min": d["min"], "max": d.get("max"), "points": d["points"]}
        if d.get("duree_mois"):
            palier["duree_mois"] = d["duree_mois"]
        if d.get("libelle"):
            palier["libelle"] = d["libelle"]
        return palier


PalierFormSet = forms.formset_factory(PalierForm, extra=2, can_delete=True, max_num=20, validate_max=True)


def paliers_saisis(formset) -> list[dict]:
    """Paliers d'un tableau valide, par borne basse croissante."""
    paliers = [p for p in (f.palier() for f in formset.forms) if p is not None]
    return sorted(paliers, key=lambda p: p["min"])


def paliers_initiaux(paliers) -> list[dict]:
    return [{k: p.get(k) for k in ("min", "max", "points", "duree_mois", "libelle")} for p in paliers or [] if p]


class ProgrammationForm(forms.Form):
    date_effet = DateChamp(
        label="Date d'entrée en vigueur",
        help_text="jj/mm/aaaa. Aujourd'hui ou avant : la grille entre en vigueur tout de suite (la précédente est "
        "archivée).",
        error_messages={"required": "Indiquez la date d'entrée en vigueur."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_effet"].initial = timezone.localdate()
