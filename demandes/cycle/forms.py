"""Formulaires de saisie d'une demande (Cerfa n°14069).

Un formulaire par bloc du Cerfa (demande, demandeur, co-demandeur, occupants,
colocataires, localisations souhaitées), réunis par ``SaisieDossier`` qui :

* construit le ``Dossier`` des services (aucune règle métier ici : les
  services valident et écrivent) ;
* replace sur le bon champ les erreurs des services, dont les clés sont des
  chemins (``personnes[1].date_naissance``, ``localisations[0].commune``…) ;
* produit le récapitulatif des erreurs avec un lien vers chaque champ (RGAA).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.utils import ErrorDict, ErrorList
from django.urls import reverse
from django.utils import timezone

from demandes.dossier import choix
from demandes.dossier.formulaires import DateChamp, MontantField
from demandes.dossier.models import Demande, LocalisationSouhaitee, Personne, Ressource
from demandes.dossier.normalisation import normaliser_nom
from demandes.dossier.saisie import Dossier, PersonneSaisie
from fdls.organismes.models import Guichet, Organisme
from fdls.territoires.models import Commune, Quartier

LIBELLE_VIDE = "Non renseigné"


def _champ_formulaire(champ: models.Field, **kwargs):
    """Champs de formulaire homogènes pour tous les blocs : dates jj/mm/aaaa, montants à la française."""
    if isinstance(champ, models.DateField):
        return champ.formfield(form_class=DateChamp, **kwargs)
    if isinstance(champ, models.DecimalField):
        return champ.formfield(form_class=MontantField, **kwargs)
    return champ.formfield(**kwargs)


def _libelles_vides(form: forms.BaseForm) -> None:
    for champ in form.fields.values():
        if isinstance(champ, forms.ChoiceField) and not isinstance(champ, forms.MultipleChoiceField):
            valeurs = list(champ.choices)
            if valeurs and valeurs[0][0] in ("", None) and not isinstance(champ.widget, forms.RadioSelect):
                champ.choices = [("", LIBELLE_VIDE), *valeurs[1:]]


# ---------------------------------------------------------------- rubriques


CHAMPS_COORDONNEES = [
    "adresse_numero",
    "adresse_voie",
    "adresse_complement",
    "code_postal",
    "ville",
    "telephone",
    "telephone_portable",
    "email",
    "renouvellement_electronique",
    "courrier_souhaite",
]
CHAMPS_SITUATION = [
    "statut_occupation",
    "occupation_depuis",
    "categorie_actuelle",
    "pieces_actuelles",
    "surface_actuelle",
    "loyer_actuel",
    "aides_logement",
    "nb_occupants_actuels",
    "proprietaire_autre_logement",
    "bailleur_actuel",
]
CHAMPS_RECHERCHE = [
    "typologies",
    "categorie_recherchee",
    "parking",
    "rez_de_chaussee",
    "sans_ascenseur_accepte",
    "adapte_handicap",
    "loyer_max",
]
CHAMPS_MOTIFS = ["motifs", "motif_precision"]
CHAMPS_COMPLEMENTS = ["complement"]
CHAMPS_MENAGE = ["enfants_a_naitre"]

CHAMPS_IDENTITE = [
    "civilite",
    "nom",
    "nom_naissance",
    "prenom",
    "date_naissance",
    "sexe",
    "nationalite",
    "situation_familiale",
    "lien_parente",
    "a_charge",
    "handicap",
    "telephone",
    "email",
]
CHAMPS_PRO = [
    "profession",
    "activite",
    "cdd_interim",
    "activite_depuis",
    "activite_jusqua",
    "csp",
    "employeur",
    "employeur_siret",
    "employeur_adresse",
    "travail_code_postal",
    "travail_ville",
]
CHAMPS_RFR = ["revenu_fiscal", "revenu_fiscal_n1"]
CHAMPS_RESSOURCES = [f"ressource_{valeur}" for valeur in choix.TypeRessource.values]

ONGLETS = [
    ("demandeur", "Demandeur"),
    ("codemandeur", "Co-demandeur"),
    ("occupants", "Occupants"),
    ("professionnel", "Situation professionnelle"),
    ("revenus", "Revenus"),
    ("situation", "Situation actuelle"),
    ("recherche", "Logement recherché"),
    ("localisations", "Localisations souhaitées"),
    ("motifs", "Motifs"),
    ("complements", "Compléments"),
]

ONGLET_DEMANDE = {
    **dict.fromkeys(CHAMPS_COORDONNEES, "demandeur"),
    **dict.fromkeys(CHAMPS_MENAGE, "occupants"),
    **dict.fromkeys(CHAMPS_SITUATION, "situation"),
    **dict.fromkeys(CHAMPS_RECHERCHE, "recherche"),
    **dict.fromkeys(CHAMPS_MOTIFS, "motifs"),
    **dict.fromkeys(CHAMPS_COMPLEMENTS, "complements"),
}

#: Messages des services remplacés par une consigne plus précise.
CONSIGNES_CHAMP_VIDE = {
    "typologies": "Indiquez au moins une typologie recherchée.",
    "motifs": "Indiquez au moins un motif de la demande.",
}
MESSAGE_CHAMP_VIDE = "Ce champ ne peut pas être vide."


# ---------------------------------------------------------------- formulaires


class GuichetForm(forms.Form):
    guichet = forms.ModelChoiceField(
        label="Guichet d'enregistrement",
        queryset=Guichet.objects.none(),
        help_text="Son code termine le numéro unique.",
        error_messages={"required": "Choisissez le guichet d'enregistrement.", "invalid_choice": "Guichet inconnu."},
    )
    piece_identite = forms.FileField(
        label="Pièce d'identité du demandeur",
        required=False,
        help_text="Obligatoire pour créer la demande (carte d'identité, passeport ou titre de séjour ; PDF, JPEG "
        "ou PNG). Déjà jointe au brouillon : inutile de la joindre à nouveau. Après une erreur, joignez-la de "
        "nouveau : un navigateur ne garde pas le fichier choisi.",
    )

    def __init__(self, *args, guichets, **kwargs):
        super().__init__(*args, **kwargs)
        champ = self.fields["guichet"]
        champ.queryset = Guichet.objects.filter(pk__in=[g.pk for g in guichets]).order_by("nom")
        if len(guichets) == 1:
            champ.empty_label = None
            champ.initial = guichets[0].pk
        else:
            champ.empty_label = "Choisir le guichet"


class DemandeForm(forms.ModelForm):
    typologies = forms.MultipleChoiceField(
        label="Typologies recherchées",
        choices=choix.Typologie.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    motifs = forms.MultipleChoiceField(
        label="Motifs de la demande",
        choices=choix.Motif.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Cochez tous les motifs qui s'appliquent.",
    )

    class Meta:
        model = Demande
        fields = CHAMPS_COORDONNEES + CHAMPS_MENAGE + CHAMPS_SITUATION + CHAMPS_RECHERCHE + CHAMPS_MOTIFS
        fields += CHAMPS_COMPLEMENTS
        formfield_callback = _champ_formulaire
        widgets = {
            "categorie_recherchee": forms.RadioSelect,
            "complement": forms.Textarea(attrs={"rows": 4}),
            "telephone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "telephone_portable": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }
        labels = {
            "telephone": "Téléphone du domicile",
            "email": "Courriel",
            "renouvellement_electronique": "Renouvellement par voie électronique",
            "courrier_souhaite": "Souhaite recevoir aussi les courriers par la poste",
            "categorie_recherchee": "Catégorie de logement recherchée",
            "sans_ascenseur_accepte": "Accepte un logement en étage sans ascenseur",
            "rez_de_chaussee": "Exige un logement en rez-de-chaussée",
            "parking": "Souhaite un parking",
            "enfants_a_naitre": "Enfants à naître",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bailleur_actuel"].queryset = Organisme.objects.filter(type=Organisme.Type.BAILLEUR).order_by("nom")
        self.fields["bailleur_actuel"].help_text = "Si le ménage est locataire d'un logement social."
        self.fields["enfants_a_naitre"].required = False
        _libelles_vides(self)

    def clean_enfants_a_naitre(self):
        return self.cleaned_data.get("enfants_a_naitre") or 0


class PersonneForm(forms.ModelForm):
    """Une personne du ménage : identité, situation professionnelle, revenus et ressources mensuelles."""

    class Meta:
        model = Personne
        fields = CHAMPS_IDENTITE + CHAMPS_PRO + CHAMPS_RFR
        formfield_callback = _champ_formulaire
        labels = {
            "cdd_interim": "CDD, intérim ou stage",
            "handicap": "En situation de handicap",
            "a_charge": "À charge",
            "lien_parente": "Lien avec le demandeur",
            "travail_code_postal": "Code postal du lieu de travail",
            "employeur_adresse": "Adresse de l'employeur",
        }
        widgets = {"telephone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        existantes = {}
        if self.instance.pk:
            existantes = {r.type: r.montant for r in self.instance.ressources.all()}
        for valeur, libelle in choix.TypeRessource.choices:
            self.fields[f"ressource_{valeur}"] = MontantField(
                label=libelle, required=False, max_digits=10, decimal_places=2, initial=existantes.get(valeur)
            )
        annee = timezone.localdate().year
        self.fields["revenu_fiscal"].label = f"Revenu fiscal de référence {annee - 2} (N-2)"
        self.fields["revenu_fiscal_n1"].label = f"Revenu fiscal de référence {annee - 1} (N-1)"
        for nom in ("nom", "prenom", "date_naissance"):
            self.fields[nom].error_messages["required"] = {
                "nom": "Indiquez le nom.",
                "prenom": "Indiquez le prénom.",
                "date_naissance": "Indiquez la date de naissance (jj/mm/aaaa).",
            }[nom]
        _libelles_vides(self)

    def ressources(self) -> list[Ressource]:
        return [
            Ressource(type=valeur, montant=self.cleaned_data[f"ressource_{valeur}"])
            for valeur in choix.TypeRessource.values
            if self.cleaned_data.get(f"ressource_{valeur}") is not None
        ]

    def nom_affiche(self) -> str:
        nom = (self["nom"].value() or "").strip().upper()
        prenom = (self["prenom"].value() or "").strip()
        return f"{nom} {prenom}".strip()


class CodemandeurForm(PersonneForm):
    retirer = forms.BooleanField(label="Retirer le co-demandeur du dossier", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["retirer"]

    @property
    def present(self) -> bool:
        if self.instance.pk:
            return not self.cleaned_data.get("retirer")
        return self.has_changed()


class BasePersonnesFormSet(forms.BaseModelFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Les formulaires supplémentaires vides sont ignorés, même ceux des ressources.
        for form in self.forms:
            form.use_required_attribute = False


PersonnesFormSet = forms.modelformset_factory(
    Personne, form=PersonneForm, formset=BasePersonnesFormSet, extra=1, can_delete=True
)


class LocalisationForm(forms.Form):
    commune = forms.CharField(
        label="Commune",
        required=False,
        max_length=120,
    )
    quartier = forms.TypedChoiceField(label="Quartier (facultatif)", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, referentiel, **kwargs):
        super().__init__(*args, **kwargs)
        self.referentiel = referentiel
        # Combobox accessible (motif WAI-ARIA) : les suggestions viennent du serveur (htmx) pendant la frappe ;
        # sans JavaScript, le nom ou le code INSEE tapé est reconnu à l'envoi.
        self.fields["commune"].widget.attrs.update(
            {
                "autocomplete": "off",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": f"suggestions-{self.prefix}",
                "class": "combobox-commune",
                "aria-describedby": "aide-communes",
                "hx-get": reverse("demandes:communes_suggerees"),
                "hx-trigger": "input changed delay:200ms",
                "hx-target": f"#suggestions-{self.prefix}",
                "hx-sync": "this:replace",
                "hx-vals": json.dumps({"departements": ",".join(referentiel.departements)}),
            }
        )
        self.fields["quartier"].choices = [("", "Toute la commune"), *referentiel.choix_quartiers]

    def clean_commune(self):
        saisie = (self.cleaned_data.get("commune") or "").strip()
        if not saisie:
            return None
        return self.referentiel.trouver(saisie)

    def clean(self):
        donnees = super().clean()
        quartier = donnees.get("quartier")
        if quartier and not donnees.get("commune") and "commune" not in self.errors:
            self.add_error("commune", "Indiquez la commune du quartier choisi.")
        if quartier:
            donnees["quartier"] = self.referentiel.quartiers.get(quartier)
        return donnees


class BaseLocalisationsFormSet(forms.BaseFormSet):
    ordering_widget = forms.NumberInput

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].label = "Rang"
            form.fields["ORDER"].widget.attrs.update({"min": 1, "class": "rang"})
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Retirer ce choix"


LocalisationsFormSet = forms.formset_factory(
    LocalisationForm, formset=BaseLocalisationsFormSet, extra=2, can_order=True, can_delete=True
)


class ReferentielCommunes:
    """Communes et quartiers qu'on peut souhaiter : ceux du département de la demande."""

    def __init__(self, departements):
        communes = list(
            Commune.objects.filter(departement_id__in=departements).only("code_insee", "nom", "codes_postaux")
        )
        self.communes = sorted(communes, key=lambda c: normaliser_nom(c.nom))
        self.par_code = {c.code_insee: c for c in communes}
        self.par_nom: dict[str, list[Commune]] = {}
        for c in communes:
            self.par_nom.setdefault(normaliser_nom(c.nom), []).append(c)
        quartiers = Quartier.objects.filter(commune__departement_id__in=departements).select_related("commune")
        self.quartiers = {q.pk: q for q in quartiers}
        self.choix_quartiers = [
            (q.pk, f"{q.commune.nom} – {q.nom}")
            for q in sorted(self.quartiers.values(), key=lambda q: (q.commune.nom, q.nom))
        ]
        self.departements = list(departements)

    @staticmethod
    def libelle(commune) -> str:
        return f"{commune.nom} ({commune.code_insee})"

    def suggestions(self, saisie: str, *, limite: int = 12) -> list[Commune]:
        """Communes proposées pendant la frappe : par début de nom (sans accents ni tirets, puis un mot du
        nom qui commence ainsi), ou par code postal / code INSEE quand la saisie est numérique."""
        saisie = (saisie or "").strip()
        if not saisie:
            return []
        if re.fullmatch(r"\d[0-9AaBb]?\d{0,3}", saisie):
            code = saisie.upper()
            return [
                c
                for c in self.communes
                if c.code_insee.startswith(code) or any(cp.startswith(code) for cp in c.codes_postaux)
            ][:limite]
        cle = normaliser_nom(re.sub(r"\(.*?\)?$", "", saisie))
        if not cle:
            return []
        debut = [c for c in self.communes if normaliser_nom(c.nom).startswith(cle)]
        mot = [c for c in self.communes if c not in debut and f" {cle}" in f" {normaliser_nom(c.nom)}"]
        return (debut + mot)[:limite]

    def trouver(self, saisie: str) -> Commune:
        code = re.search(r"\b(\d[0-9AB]\d{3})\b", saisie.upper())
        if code and code.group(1) in self.par_code:
            return self.par_code[code.group(1)]
        nom = normaliser_nom(re.sub(r"\(.*?\)", "", saisie))
        trouvees = self.par_nom.get(nom, [])
        if len(trouvees) == 1:
            return trouvees[0]
        departements = ", ".join(self.departements)
        if len(trouvees) > 1:
            raise ValidationError(
                f"Plusieurs communes s'appellent « {saisie} » : choisissez-la dans la liste (avec son code INSEE)."
            )
        raise ValidationError(
            f"Commune inconnue dans le département {departements} : « {saisie} ». "
            "Choisissez une commune proposée dans la liste."
        )


# ---------------------------------------------------------------- le dossier complet

#: Champs exigés pour créer la demande (par les services, pas par le formulaire : un brouillon peut les
#: laisser vides) ; marqués « (obligatoire) » et ``aria-required`` comme les champs requis du formulaire.
OBLIGATOIRES_CREATION = {
    "guichet_form": ("guichet", "piece_identite"),
    "demandeur": ("nationalite",),
    "demande_form": ("statut_occupation", "typologies", "motifs"),
}


def marquer_obligatoire(champ: forms.Field) -> None:
    champ.obligatoire = True
    if not isinstance(champ.widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
        # Un groupe de cases porte la mention dans sa légende (aria-required n'est pas permis sur une case).
        champ.widget.attrs["aria-required"] = "true"


@dataclass
class ErreurResumee:
    lien: str
    libelle: str
    message: str
    onglet: str


class SaisieDossier:
    """Tous les blocs du formulaire d'une demande, et leur passage au ``Dossier`` des services."""

    def __init__(
        self, data=None, files=None, *, demande: Demande | None = None, guichets=None, ajout: str | None = None
    ):
        self.demande = demande or Demande()
        self.guichets = list(guichets) if guichets is not None else []
        self.avec_guichet = guichets is not None
        if data is not None and ajout:
            data = data.copy()
            cle = f"{ajout}-TOTAL_FORMS"
            data[cle] = str(int(data.get(cle) or 0) + 1)
        self.data = data
        self.erreurs_generales: list[str] = []
        self._nouvelles_seulement = False

        if self.demande.pk:
            departements = [self.demande.departement_id]
        else:
            departements = sorted({g.commune.departement_id for g in self.guichets}) or []
        self.referentiel = ReferentielCommunes(departements)

        self.guichet_form = (
            GuichetForm(
                data,
                files,
                guichets=self.guichets,
                initial={"guichet": self.demande.guichet_id} if self.demande.guichet_id else None,
            )
            if self.avec_guichet
            else None
        )
        self.demande_form = DemandeForm(data, instance=self.demande)
        existants = {}
        if self.demande.pk:
            for p in self.demande.personnes.prefetch_related("ressources").order_by("rang", "id"):
                existants.setdefault(p.role, []).append(p)
        demandeur = (existants.get(choix.Role.DEMANDEUR) or [Personne(role=choix.Role.DEMANDEUR)])[0]
        codemandeur = (existants.get(choix.Role.CODEMANDEUR) or [Personne(role=choix.Role.CODEMANDEUR)])[0]
        self.demandeur = PersonneForm(data, instance=demandeur, prefix="demandeur")
        self.codemandeur = CodemandeurForm(
            data,
            instance=codemandeur,
            prefix="codemandeur",
            empty_permitted=not codemandeur.pk,
            use_required_attribute=False,
        )
        requete = Personne.objects.filter(demande=self.demande.pk).prefetch_related("ressources").order_by("rang", "id")
        self.colocataires = PersonnesFormSet(
            data,
            prefix="colocataires",
            queryset=requete.filter(role=choix.Role.COLOCATAIRE) if self.demande.pk else Personne.objects.none(),
        )
        self.occupants = PersonnesFormSet(
            data,
            prefix="occupants",
            queryset=requete.filter(role=choix.Role.OCCUPANT) if self.demande.pk else Personne.objects.none(),
        )
        self.localisations_existantes = []
        initiales = []
        if self.demande.pk:
            self.localisations_existantes = list(
                self.demande.localisations.select_related("commune", "quartier").order_by("rang")
            )
            initiales = [
                {
                    "commune": self.referentiel.libelle(loc.commune),
                    "quartier": loc.quartier_id,
                    "ORDER": loc.rang,
                    "date_anciennete": loc.date_anciennete,
                }
                for loc in self.localisations_existantes
            ]
        self.localisations = LocalisationsFormSet(
            data,
            prefix="localisations",
            initial=initiales,
            form_kwargs={"referentiel": self.referentiel},
        )
        for bloc, champs in OBLIGATOIRES_CREATION.items():
            form = getattr(self, bloc)
            for nom in champs if form is not None else ():
                marquer_obligatoire(form.fields[nom])
        if self.localisations.forms:
            marquer_obligatoire(self.localisations.forms[0].fields["commune"])
        self._personnes_formulaires: list[PersonneForm] = []
        self._localisations_formulaires: list[LocalisationForm] = []
        self._dossier: Dossier | None = None

    # ------------------------------------------------------------ validation

    def formulaires(self) -> list[forms.BaseForm]:
        formulaires = [self.demande_form, self.demandeur, self.codemandeur]
        return ([self.guichet_form] if self.guichet_form else []) + formulaires

    def formsets(self):
        return [self.colocataires, self.occupants, self.localisations]

    def est_valide(self) -> bool:
        valides = [f.is_valid() for f in self.formulaires()] + [fs.is_valid() for fs in self.formsets()]
        return all(valides)

    def masquer_erreurs(self) -> None:
        """Réaffiche la saisie sans la valider (ajout d'une ligne, vérification des doublons)."""
        for form in self.formulaires():
            form._errors = ErrorDict()
        for formset in self.formsets():
            formset._errors = []
            formset._non_form_errors = ErrorList()
            for form in formset.forms:
                form._errors = ErrorDict()

    def masquer_erreurs_sauf_identite(self) -> None:
        """Après la vérification des doublons : seules les erreurs d'identité validées restent affichées."""
        gardes = {id(self.demandeur), id(self.codemandeur)}
        for form in self.formulaires():
            if id(form) not in gardes:
                form._errors = ErrorDict()
        for formset in self.formsets():
            formset._errors = []
            formset._non_form_errors = ErrorList()
            for form in formset.forms:
                form._errors = ErrorDict()

    @property
    def guichet(self):
        if self.guichet_form is None:
            return self.demande.guichet if self.demande.guichet_id else None
        return self.guichet_form.cleaned_data.get("guichet")

    def identites(self) -> list[Personne]:
        """Demandeur et co-demandeur saisis, pour la vérification des doublons (sans autre validation)."""
        personnes = []
        for form, role in ((self.demandeur, choix.Role.DEMANDEUR), (self.codemandeur, choix.Role.CODEMANDEUR)):
            if form is self.codemandeur and not form.has_changed() and not form.instance.pk:
                continue
            if form.is_valid():
                form.instance.role = role
                personnes.append(form.instance)
        return personnes

    # ------------------------------------------------------------ dossier

    @property
    def piece_identite(self):
        """Le fichier de la pièce d'identité joint à la saisie (création ou brouillon), ou ``None``."""
        if self.guichet_form is None:
            return None
        return getattr(self.guichet_form, "cleaned_data", {}).get("piece_identite")

    def dossier(self, *, partiel: bool = False) -> Dossier:
        """Le dossier saisi pour les services : formulaires valides, ou ``partiel`` (ce qui est déjà lisible
        de formulaires en erreur, pour contrôler tout le reste dans le même envoi)."""
        personnes: list[PersonneSaisie] = []
        self._personnes_formulaires = []

        def ajouter(form, role):
            form.instance.role = role
            personnes.append(PersonneSaisie(form.instance, form.ressources()))
            self._personnes_formulaires.append(form)

        ajouter(self.demandeur, choix.Role.DEMANDEUR)
        if self.codemandeur.present:
            ajouter(self.codemandeur, choix.Role.CODEMANDEUR)
        for formset, role in ((self.colocataires, choix.Role.COLOCATAIRE), (self.occupants, choix.Role.OCCUPANT)):
            for form in formset.forms:
                if not hasattr(form, "cleaned_data"):
                    continue
                if formset.can_delete and formset._should_delete_form(form):
                    continue
                if form.instance.pk or form.has_changed():
                    ajouter(form, role)

        existantes = {(loc.commune_id, loc.quartier_id): loc for loc in self.localisations_existantes}
        localisations = []
        self._localisations_formulaires = []
        for form in self._localisations_ordonnees(partiel):
            commune = form.cleaned_data.get("commune")
            if not commune:
                continue
            quartier = form.cleaned_data.get("quartier")
            cle = (commune.pk, quartier.pk if quartier else None)
            # Un choix déjà fait garde sa date d'ancienneté, même s'il change de rang.
            loc = existantes.pop(cle, None) or LocalisationSouhaitee(commune=commune, quartier=quartier)
            localisations.append(loc)
            self._localisations_formulaires.append(form)
        self._dossier = Dossier(demande=self.demande_form.instance, personnes=personnes, localisations=localisations)
        return self._dossier

    def _localisations_ordonnees(self, partiel: bool) -> list[LocalisationForm]:
        if not partiel:
            return self.localisations.ordered_forms
        lisibles = [
            f
            for f in self.localisations.forms
            if hasattr(f, "cleaned_data") and not self.localisations._should_delete_form(f)
        ]
        return sorted(lisibles, key=lambda f: (f.cleaned_data.get("ORDER") is None, f.cleaned_data.get("ORDER") or 0))

    # ------------------------------------------------------------ erreurs des services

    def appliquer_erreurs(self, erreur: ValidationError, *, nouvelles_seulement: bool = False) -> None:
        """Place chaque message des services sur le champ qu'il concerne (clé = chemin) ;
        ``nouvelles_seulement`` : un champ déjà en erreur (formulaire) garde son seul message."""
        self._nouvelles_seulement = nouvelles_seulement
        if not hasattr(erreur, "error_dict"):
            self.erreurs_generales.extend(m for m in erreur.messages if m not in self.erreurs_generales)
            return
        for chemin, messages in erreur.message_dict.items():
            messages = self._consignes(chemin, messages)
            for message in messages:
                self._placer(chemin, message)

    @staticmethod
    def _consignes(chemin: str, messages: list[str]) -> list[str]:
        champ = chemin.rsplit(".", 1)[-1]
        if champ in CONSIGNES_CHAMP_VIDE:
            messages = [CONSIGNES_CHAMP_VIDE[champ] if m == MESSAGE_CHAMP_VIDE else m for m in messages]
        return list(dict.fromkeys(messages))

    def _placer(self, chemin: str, message: str) -> None:
        if m := re.fullmatch(r"personnes\[(\d+)\]\.(.+)", chemin):
            index, reste = int(m.group(1)), m.group(2)
            if index < len(self._personnes_formulaires):
                form = self._personnes_formulaires[index]
                if r := re.fullmatch(r"ressources\[(\d+)\]\.\w+", reste):
                    ressources = self._dossier.personnes[index].ressources
                    j = int(r.group(1))
                    champ = f"ressource_{ressources[j].type}" if j < len(ressources) else None
                    return self._ajouter(form, champ, message)
                return self._ajouter(form, reste if reste in form.fields else None, message)
        if m := re.fullmatch(r"localisations\[(\d+)\]\.(\w+)", chemin):
            index, champ = int(m.group(1)), m.group(2)
            if index < len(self._localisations_formulaires):
                form = self._localisations_formulaires[index]
                return self._ajouter(form, champ if champ in form.fields else None, message)
        if chemin == "localisations":
            self.localisations._non_form_errors.append(message)
            return None
        if chemin in ("guichet", "piece_identite") and self.guichet_form is not None:
            return self._ajouter(self.guichet_form, chemin, message)
        if chemin == "__all__":
            if message not in self.erreurs_generales:
                self.erreurs_generales.append(message)
            return None
        if chemin in ("nom", "prenom", "date_naissance"):
            return self._ajouter(self.demandeur, chemin, message)
        if chemin in self.demande_form.fields:
            return self._ajouter(self.demande_form, chemin, message)
        self.erreurs_generales.append(message)
        return None

    def _ajouter(self, form, champ, message):
        if not hasattr(form, "cleaned_data"):
            form.cleaned_data = {}
        if self._nouvelles_seulement:
            deja = form.errors.get(champ or "__all__", [])
            if deja and (champ is not None or message in deja):
                return
        if champ is None:
            form.add_error(None, message)
            return
        # add_error retire le champ de cleaned_data : sans effet sur un dossier déjà construit.
        form.add_error(champ, message)

    # ------------------------------------------------------------ affichage

    def personnes_affichees(self) -> list[tuple[str, PersonneForm]]:
        """Chaque personne du ménage avec son libellé, pour les onglets professionnel et revenus."""
        resultat = [("Demandeur", self.demandeur), ("Co-demandeur", self.codemandeur)]
        for formset, libelle in ((self.colocataires, "Colocataire"), (self.occupants, "Occupant")):
            for i, form in enumerate(formset.forms, start=1):
                resultat.append((f"{libelle} {i}", form))
        return resultat

    def tableau_revenus(self):
        """Revenus en tableau : une ligne par type, une colonne par personne (comme la fiche de synthèse)."""
        personnes = self.personnes_affichees()
        lignes = []
        for champ in CHAMPS_RFR + CHAMPS_RESSOURCES:
            libelle = personnes[0][1].fields[champ].label
            cellules = [
                {
                    "champ": f[champ],
                    "libelle": f"{libelle} – {qui}" + (f" ({f.nom_affiche()})" if f.nom_affiche() else ""),
                }
                for qui, f in personnes
            ]
            lignes.append({"libelle": libelle, "cellules": cellules})
        return {"personnes": personnes, "lignes": lignes}

    def onglet_du_champ(self, form, champ: str | None) -> str:
        if form is self.guichet_form:
            return "demandeur"
        if form is self.demande_form:
            return ONGLET_DEMANDE.get(champ, "demandeur")
        if isinstance(form, LocalisationForm):
            return "localisations"
        if champ in CHAMPS_PRO:
            return "professionnel"
        if champ in CHAMPS_RFR or (champ or "").startswith("ressource_"):
            return "revenus"
        if form is self.demandeur:
            return "demandeur"
        if form is self.codemandeur:
            return "codemandeur"
        return "occupants"

    def resume_erreurs(self) -> list[ErreurResumee]:
        resume = [ErreurResumee("#formulaire-demande", "Dossier", m, "demandeur") for m in self.erreurs_generales]
        blocs: list[tuple[str, forms.BaseForm]] = []
        if self.guichet_form:
            blocs.append(("", self.guichet_form))
        blocs.append(("", self.demande_form))
        blocs += [(f"{libelle} – ", form) for libelle, form in self.personnes_affichees()]
        for i, form in enumerate(self.localisations.forms, start=1):
            blocs.append((f"Localisation {i} – ", form))
        for prefixe, form in blocs:
            if not form.is_bound or not form._errors:
                continue
            for champ, messages in form.errors.items():
                if champ == "__all__":
                    onglet = self.onglet_du_champ(form, None)
                    lien = f"#onglet-{onglet}"
                    resume += [ErreurResumee(lien, prefixe.rstrip(" –") or "Dossier", m, onglet) for m in messages]
                    continue
                bound = form[champ]
                lien = f"#{bound.auto_id}_0" if isinstance(bound.field.widget, forms.CheckboxSelectMultiple) else ""
                lien = lien or f"#{bound.auto_id}"
                onglet = self.onglet_du_champ(form, champ)
                resume += [ErreurResumee(lien, f"{prefixe}{bound.label}", m, onglet) for m in messages]
        if self.localisations.is_bound and self.localisations._non_form_errors:
            resume += [
                ErreurResumee("#onglet-localisations", "Localisations souhaitées", m, "localisations")
                for m in self.localisations._non_form_errors
            ]
        # Dans l'ordre des onglets (puis de la page) : l'agent corrige de haut en bas.
        rang = {cle: i for i, (cle, _libelle) in enumerate(ONGLETS)}
        return sorted(resume, key=lambda e: rang.get(e.onglet, len(rang)))

    def onglets(self, resume: list[ErreurResumee]):
        nombres = {}
        for erreur in resume:
            nombres[erreur.onglet] = nombres.get(erreur.onglet, 0) + 1
        onglets = [{"id": cle, "libelle": libelle, "erreurs": nombres.get(cle, 0)} for cle, libelle in ONGLETS]
        for precedent, suivant in zip(onglets, onglets[1:], strict=False):
            precedent["suivant"], suivant["precedent"] = suivant, precedent
        return onglets

    def communes_proposees(self):
        return [self.referentiel.libelle(c) for c in self.referentiel.communes]


# ---------------------------------------------------------------- actions de la fiche


class AnnulationForm(forms.Form):
    motif = forms.ChoiceField(
        label="Motif de l'annulation",
        choices=[("", "Choisir le motif"), *[(m.value, m.label) for m in choix.MOTIFS_ANNULATION_AGENT]],
        error_messages={"required": "Choisissez le motif de l'annulation."},
    )
    commentaire = forms.CharField(
        label="Précisions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple la date et la forme de la renonciation écrite (courrier, courriel).",
        max_length=2000,
    )


class AvertissementForm(forms.Form):
    precisions = forms.CharField(
        label="Courrier resté sans réponse",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : demande de pièces du 3 mars, envoyée à la dernière adresse connue.",
        max_length=2000,
    )


class ReponseAvertissementForm(forms.Form):
    precisions = forms.CharField(
        label="Réponse du demandeur",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : appel du 12 mars, pièces déposées au guichet.",
        max_length=2000,
    )


class ReactivationForm(forms.Form):
    motif = forms.CharField(
        label="Motif de la réactivation",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Indiquez pourquoi la demande est réactivée."},
    )
