"""Choix commun à tous les tableaux : la photo, le territoire (EPCI, commune, quartier) et l'année."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from fdls.organismes.models import Guichet
from fdls.territoires.models import Commune, Epci, Quartier
from observatoire.croisement.grille import Territoire
from observatoire.photos.models import Photo


class SelectRapide(forms.Select):
    """Liste déroulante rendue en Python : quelques centaines de communes sans un gabarit par option."""

    def render(self, name, value, attrs=None, renderer=None):
        choisies = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v not in (None, "")}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(v), " selected" if str(v) in choisies or (not choisies and str(v) == "") else "", libelle)
                for v, libelle in self.choices
            ),
        )
        attributs = flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name}))
        return format_html("<select{}>{}</select>", attributs, options)


class PhotoChoix(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.mois:%m/%Y}{' (reconstituée)' if obj.reconstituee else ''}"


class ChoixTerritoire(forms.Form):
    photo = PhotoChoix(
        label="Photo du fichier",
        queryset=Photo.objects.all(),
        required=False,
        empty_label="La plus récente",
        help_text="État du fichier au 1er du mois.",
    )
    epci = forms.ModelChoiceField(
        label="EPCI", queryset=Epci.objects.none(), required=False, empty_label="Tous", widget=SelectRapide
    )
    commune = forms.ModelChoiceField(
        label="Commune", queryset=Commune.objects.none(), required=False, empty_label="Toutes", widget=SelectRapide
    )
    quartier = forms.ModelChoiceField(
        label="Quartier (QPV)",
        queryset=Quartier.objects.none(),
        required=False,
        empty_label="Tous",
        widget=SelectRapide,
    )
    annee = forms.TypedChoiceField(label="Année des attributions", coerce=int, required=False, choices=())

    def __init__(self, *args, annees=(), **kwargs):
        super().__init__(*args, **kwargs)
        communes = Commune.objects.filter(code_insee__in=_communes_photographiees())
        self.fields["epci"].queryset = Epci.objects.filter(siren__in=communes.values("epci_id")).order_by("nom")
        self.fields["commune"].queryset = communes.order_by("nom")
        self.fields["quartier"].queryset = (
            Quartier.objects.filter(commune__in=communes).select_related("commune").order_by("commune__nom", "nom")
        )
        self.fields["annee"].choices = [("", "Année précédant la photo"), *[(a, str(a)) for a in annees]]

    def clean(self):
        donnees = super().clean()
        epci, commune, quartier = donnees.get("epci"), donnees.get("commune"), donnees.get("quartier")
        if commune and epci and commune.epci_id != epci.siren:
            self.add_error("commune", f"{commune.nom} n'est pas une commune de {epci.nom}.")
        if quartier and not commune:
            self.add_error("quartier", "Choisissez aussi la commune du quartier.")
        elif quartier and commune and quartier.commune_id != commune.code_insee:
            self.add_error("quartier", f"Le quartier {quartier.nom} n'est pas à {commune.nom}.")
        return donnees

    def photo_choisie(self) -> Photo | None:
        donnees = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return donnees.get("photo") or Photo.objects.first()

    def territoire(self) -> Territoire:
        if not (self.is_bound and self.is_valid()):
            return Territoire()
        d = self.cleaned_data
        return Territoire(epci=d.get("epci"), commune=d.get("commune"), quartier=d.get("quartier"))

    def annee_choisie(self, photo: Photo) -> int:
        annee = self.cleaned_data.get("annee") if self.is_bound and self.is_valid() else None
        return annee or (photo.mois.year - 1 if photo else 0)


def _communes_photographiees():
    """Communes des départements du fichier (ceux de ses guichets) : celles qu'une photo peut citer ; la liste
    reste courte (quelques centaines)."""
    return Commune.objects.filter(departement_id__in=Guichet.objects.values("commune__departement_id")).values(
        "code_insee"
    )
