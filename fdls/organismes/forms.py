"""Formulaires de gestion des partenaires : organisme, guichet, compte d'agent."""

import re

from django import forms

from fdls.comptes.models import Role, Utilisateur
from fdls.organismes import selectors
from fdls.organismes.models import Guichet, Organisme
from fdls.organismes.services import CHAMPS_GUICHET
from fdls.territoires.models import Commune, Departement, Epci

SEPARATEURS = re.compile(r"[\s,;]+")
TELEPHONE = re.compile(r"^\+?[0-9][0-9 .\-]{8,18}[0-9]$")


def _codes(valeur: str) -> list[str]:
    return list(dict.fromkeys(c.upper() for c in SEPARATEURS.split(valeur or "") if c))


def _nettoyer_telephone(valeur: str) -> str:
    valeur = (valeur or "").strip()
    if valeur and not TELEPHONE.match(valeur):
        raise forms.ValidationError("Saisissez un numéro de téléphone de 10 chiffres (ex. 02 40 00 00 00).")
    return valeur


def siren_valide(siren: str) -> bool:
    """Clé de Luhn du SIREN (les 9 chiffres) ; La Poste (356000000) fait exception."""
    if siren == "356000000":
        return True
    total = 0
    for rang, chiffre in enumerate(reversed(siren)):
        n = int(chiffre) * (2 if rang % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


class OrganismeForm(forms.ModelForm):
    """Identité de l'organisme et territoire d'habilitation (CCH R441-2-6)."""

    siren = forms.CharField(
        label="SIREN",
        required=False,
        max_length=20,
        help_text="9 chiffres, espaces acceptés (ex. 244 400 404).",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    perimetre_departements = forms.CharField(
        label="Départements entiers",
        required=False,
        help_text="Codes des départements dont toutes les communes sont habilitées (ex. 44 85).",
    )
    perimetre_epcis = forms.CharField(
        label="EPCI entiers",
        required=False,
        help_text="SIREN des EPCI dont toutes les communes sont habilitées (ex. 244400404 pour Nantes Métropole).",
    )
    perimetre_communes = forms.CharField(
        label="Autres communes",
        required=False,
        help_text="Codes INSEE des communes habilitées en plus, séparés par des espaces (ex. 44109 44143).",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Organisme
        fields = ["nom", "sigle", "type", "siren", "departement", "adresse", "telephone", "email", "actif"]
        error_messages = {"nom": {"unique": "Un organisme porte déjà ce nom."}}
        widgets = {"telephone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].queryset = Departement.objects.order_by("code")
        self.fields["departement"].empty_label = "Choisir un département"
        self.fields["type"].choices = [("", "Choisir un type")] + list(Organisme.Type.choices)
        if self.instance.pk and not self.is_bound:
            decomposition = selectors.decomposer_perimetre(self.instance)
            self.initial["perimetre_departements"] = " ".join(decomposition["departements"])
            self.initial["perimetre_epcis"] = " ".join(decomposition["epcis"])
            self.initial["perimetre_communes"] = " ".join(decomposition["communes"])

    def clean_siren(self):
        siren = re.sub(r"[\s.]", "", self.cleaned_data.get("siren") or "")
        if siren and not re.fullmatch(r"\d{9}", siren):
            raise forms.ValidationError("Le SIREN compte exactement 9 chiffres.")
        if siren and not siren_valide(siren):
            raise forms.ValidationError("Ce SIREN n'est pas valide : vérifiez les chiffres saisis (clé de contrôle).")
        return siren

    def clean_telephone(self):
        return _nettoyer_telephone(self.cleaned_data.get("telephone"))

    def _connus(self, champ: str, modele, cle: str, libelle: str) -> list[str]:
        codes = _codes(self.cleaned_data.get(champ, ""))
        connus = set(modele.objects.filter(**{f"{cle}__in": codes}).values_list(cle, flat=True))
        inconnus = [c for c in codes if c not in connus]
        if inconnus:
            raise forms.ValidationError(f"{libelle} : {', '.join(inconnus)}.")
        return codes

    def clean_perimetre_departements(self):
        return self._connus("perimetre_departements", Departement, "code", "Département(s) inconnu(s)")

    def clean_perimetre_epcis(self):
        return self._connus("perimetre_epcis", Epci, "siren", "EPCI inconnu(s)")

    def clean_perimetre_communes(self):
        return self._connus("perimetre_communes", Commune, "code_insee", "Code(s) INSEE inconnu(s)")

    def perimetre(self) -> list[str]:
        """Codes INSEE des communes du territoire d'habilitation saisi (formulaire valide)."""
        return list(
            selectors.communes_du_perimetre(
                departements=self.cleaned_data["perimetre_departements"],
                epcis=self.cleaned_data["perimetre_epcis"],
                communes=self.cleaned_data["perimetre_communes"],
            ).values_list("code_insee", flat=True)
        )

    def champs_identite(self):
        """Champs liés de l'identité (le territoire est affiché à part)."""
        return [self[nom] for nom in self.Meta.fields]

    def champs(self) -> dict:
        return {nom: self.cleaned_data[nom] for nom in self.Meta.fields}


class CommuneField(forms.CharField):
    """Commune saisie par son nom ou son code INSEE (« Rezé », « 44143 », « Rezé (44143) »)."""

    def prepare_value(self, value):
        if isinstance(value, Commune):
            return f"{value.nom} ({value.code_insee})"
        if isinstance(value, str) and re.fullmatch(r"\w{5}", value):
            commune = Commune.objects.filter(code_insee=value).first()
            if commune:
                return f"{commune.nom} ({commune.code_insee})"
        return value

    def clean(self, value):
        saisie = super().clean(value).strip()
        if not saisie:
            return None
        code = re.search(r"\((\w{5})\)\s*$", saisie)
        if code or re.fullmatch(r"\w{5}", saisie):
            code_insee = (code.group(1) if code else saisie).upper()
            commune = Commune.objects.filter(code_insee=code_insee).first()
            if commune is None:
                raise forms.ValidationError(f"Aucune commune n'a le code INSEE {code_insee}.")
            return commune
        communes = list(Commune.objects.filter(nom__iexact=saisie).order_by("code_insee")[:5])
        if not communes:
            raise forms.ValidationError(
                "Aucune commune ne porte ce nom : vérifiez l'orthographe ou saisissez le code INSEE (ex. 44109)."
            )
        if len(communes) > 1:
            codes = ", ".join(c.code_insee for c in communes)
            raise forms.ValidationError(f"Plusieurs communes portent ce nom ({codes}) : saisissez le code INSEE.")
        return communes[0]


class GuichetForm(forms.ModelForm):
    """Guichet d'enregistrement : le code, unique, termine les numéros uniques qu'il attribue."""

    commune = CommuneField(
        label="Commune",
        help_text="Nom ou code INSEE (ex. Rezé ou 44143).",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = Guichet
        fields = list(CHAMPS_GUICHET)
        help_texts = {
            "code": "5 chiffres, uniques dans le fichier ; ils terminent le numéro unique des demandes enregistrées.",
            "type": "Un guichet accompagnateur enregistre et modifie les demandes ; un relai les reçoit et les "
            "transmet.",
            "horaires": "Tels qu'affichés dans l'annuaire (ex. Lundi au vendredi, 9 h – 12 h 30).",
        }
        widgets = {
            "code": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "code_postal": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "telephone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "type": forms.RadioSelect,
            "horaires": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisme"].queryset = Organisme.objects.order_by("nom")
        self.fields["organisme"].empty_label = "Choisir un organisme"
        self.fields["type"].choices = Guichet.Type.choices
        # Pas de maxlength : le navigateur tronquerait la saisie sans rien dire ; la validation explique.
        for nom in ("code", "code_postal"):
            self.fields[nom].max_length = None
            self.fields[nom].validators = []
            self.fields[nom].widget.attrs.pop("maxlength", None)
        if self.instance.pk:
            # Le code figure dans les numéros uniques déjà attribués : il ne change plus.
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "Le code ne change plus après la création : il figure dans les numéros."

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip()
        if not re.fullmatch(r"\d{5}", code):
            raise forms.ValidationError("Le code guichet compte exactement 5 chiffres (ex. 10001).")
        existant = Guichet.objects.filter(code=code).exclude(pk=self.instance.pk).first()
        if existant is not None:
            raise forms.ValidationError(f"Le code {code} est déjà attribué au guichet « {existant.nom} ».")
        return code

    def clean_code_postal(self):
        code_postal = (self.cleaned_data.get("code_postal") or "").strip()
        if code_postal and not re.fullmatch(r"\d{5}", code_postal):
            raise forms.ValidationError("Le code postal compte 5 chiffres.")
        return code_postal

    def clean_telephone(self):
        return _nettoyer_telephone(self.cleaned_data.get("telephone"))

    def clean(self):
        donnees = super().clean()
        commune, code_postal = donnees.get("commune"), donnees.get("code_postal")
        if commune and code_postal and commune.codes_postaux and code_postal not in commune.codes_postaux:
            self.add_error(
                "code_postal",
                f"Le code postal {code_postal} ne correspond pas à {commune.nom} ({', '.join(commune.codes_postaux)}).",
            )
        return donnees

    def champs(self) -> dict:
        return {nom: self.cleaned_data[nom] for nom in self.Meta.fields if nom in self.cleaned_data}


class AgentForm(forms.Form):
    """Création du compte d'un agent : il choisira son mot de passe depuis le courriel reçu."""

    email = forms.EmailField(
        label="Adresse électronique professionnelle",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid": "Saisissez une adresse électronique valide (ex. prenom.nom@organisme.fr)."},
    )
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    telephone = forms.CharField(label="Téléphone", required=False, widget=forms.TextInput(attrs={"type": "tel"}))
    roles = forms.MultipleChoiceField(
        label="Rôles",
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins un rôle."},
        help_text="Seuls les rôles autres qu'observateur donnent accès aux données nominatives.",
    )
    guichet = forms.ModelChoiceField(
        label="Guichet d'exercice",
        queryset=Guichet.objects.none(),
        required=False,
        empty_label="Aucun",
    )

    def __init__(self, *args, organisme: Organisme, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisme = organisme
        self.fields["guichet"].queryset = organisme.guichets.filter(actif=True).order_by("nom")

    def clean_email(self):
        email = Utilisateur.objects.normalize_email(self.cleaned_data["email"]).lower()
        if Utilisateur.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Un compte existe déjà avec cette adresse électronique.")
        return email

    def clean_telephone(self):
        return _nettoyer_telephone(self.cleaned_data.get("telephone"))

    def clean_roles(self):
        roles = self.cleaned_data["roles"]
        if Role.ADMINISTRATEUR in roles and self.organisme.type != Organisme.Type.GESTIONNAIRE:
            raise forms.ValidationError("Le rôle administrateur est réservé aux organismes gestionnaires du fichier.")
        return roles
