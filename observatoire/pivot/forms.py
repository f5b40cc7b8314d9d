"""Le constructeur de tableaux croisés : source, lignes, colonnes, mesure, filtres, sur une photo."""

from __future__ import annotations

from django import forms

from demandes.dossier.choix import Typologie
from observatoire.croisement.dimensions import SOURCES
from observatoire.croisement.forms import ChoixTerritoire

DIMENSIONS = sorted(
    {(code, d.libelle) for s in SOURCES.values() for code, d in s.dimensions.items()}, key=lambda c: c[1].lower()
)
MESURES = sorted({(code, m.libelle) for s in SOURCES.values() for code, m in s.mesures.items()})


def _nom_source(code: str) -> str:
    return SOURCES[code].libelle.lower()


class ConstructeurPivot(ChoixTerritoire):
    source = forms.ChoiceField(
        label="Données", choices=[(code, s.libelle) for code, s in SOURCES.items()], initial="demandes"
    )
    lignes = forms.ChoiceField(label="En lignes", choices=DIMENSIONS, initial="typologie")
    colonnes = forms.ChoiceField(label="En colonnes", choices=[("", "(aucune)"), *DIMENSIONS], required=False)
    mesure = forms.ChoiceField(
        label="Mesure",
        choices=[
            ("nombre", "Nombre"),
            ("anciennete", "Ancienneté moyenne (demandes)"),
            ("delai", "Délai moyen d'attribution (attributions)"),
            ("vacants", "Vacances ouvertes (parc)"),
        ],
        initial="nombre",
    )
    typologie = forms.MultipleChoiceField(
        label="Typologies", choices=Typologie.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    diffusion = forms.BooleanField(
        label="Tableau destiné à une diffusion hors du partenariat (secret statistique appliqué)", required=False
    )

    field_order = ["photo", "source", "lignes", "colonnes", "mesure", "epci", "commune", "quartier", "annee"]

    def clean(self):
        donnees = super().clean()
        source = SOURCES.get(donnees.get("source") or "")
        if source is None:
            return donnees
        for champ in ("lignes", "colonnes"):
            code = donnees.get(champ)
            if code and code not in source.dimensions:
                self.add_error(
                    champ, f"« {dict(DIMENSIONS)[code]} » ne se croise pas sur les {_nom_source(source.code)}."
                )
        if donnees.get("lignes") and donnees.get("lignes") == donnees.get("colonnes"):
            self.add_error("colonnes", "Choisissez en colonnes une autre dimension qu'en lignes.")
        mesure = donnees.get("mesure")
        if mesure and mesure not in source.mesures:
            self.add_error("mesure", f"Cette mesure ne se calcule pas sur les {_nom_source(source.code)}.")
        if donnees.get("quartier") and source.code != "demandes":
            self.add_error("quartier", "Le quartier n'est connu que pour les demandes (quartier du 1er choix).")
        return donnees

    def parametres(self) -> dict:
        """Les paramètres JSON du tableau (ceux que garde un export en arrière-plan)."""
        d = self.cleaned_data
        filtres = self.territoire().filtres(quartier=d["source"] == "demandes")
        if d.get("typologie"):
            filtres["typologie"] = list(d["typologie"])
        if d["source"] == "attributions" and d.get("annee"):
            filtres["annee"] = d["annee"]
        return {
            "source": d["source"],
            "lignes": d["lignes"],
            "colonnes": d.get("colonnes") or None,
            "mesure": d["mesure"],
            "filtres": filtres,
            "diffusion": bool(d.get("diffusion")),
        }
