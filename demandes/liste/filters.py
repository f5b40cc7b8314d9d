"""Recherche de demandes (django-filter), toujours appliquée aux seules demandes visibles.

Les critères reprennent l'écran « Liste des demandes » (seed 004) : nom
(d'usage ou de naissance, « marital ou jeune fille ») et prénom du demandeur
ou du co-demandeur, numéro unique entier ou partiel, date de naissance,
téléphone, courriel, référence, état, nature, guichet, dates de dépôt et de
renouvellement, brouillons de l'organisme, et les files de travail de
l'accueil (``a_traiter`` : suspicions de doublon, pièces manquantes).
"""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from demandes.dossier import choix
from demandes.dossier.formulaires import FORMAT_DATE, DateSaisie
from demandes.dossier.models import CleIdentite, Demande
from demandes.dossier.normalisation import normaliser_nom
from demandes.dossier.numerotation import analyser_numero_unique
from demandes.doublons.services import demandes_suspectes
from demandes.labels import services as labels
from demandes.labels.models import TypeLabel
from demandes.liste.criteres import Criteres
from demandes.liste.selectors import (
    CHIFFRES_TELEPHONE,
    chiffres,
    chiffres_telephone,
    demandes_par_email,
    demandes_par_telephone,
)
from demandes.pieces.services import sans_piece_identite
from fdls.organismes.models import Guichet, Organisme

# Un numéro partiel : au moins 4 chiffres (« 000035 », « 044 1226 ») ; 18 chiffres : le numéro entier.
CHIFFRES_NU_PARTIEL = 4


class ATraiter(models.TextChoices):
    """Files de travail de l'accueil qui ne sont pas déjà un critère de la liste."""

    DOUBLONS = "doublons", "Suspicion de doublon à traiter"
    PIECES = "pieces", "Pièce d'identité manquante (demandes actives de mon organisme)"


class RechercheDemandeForm(forms.Form):
    def clean_numero_unique(self):
        saisie = self.cleaned_data.get("numero_unique") or ""
        if not saisie.strip():
            return ""
        if re.search(r"[^\d\s.\-/]", saisie):
            raise forms.ValidationError(
                "Le numéro unique ne contient que des chiffres (espaces permis) : "
                "saisissez-le en entier (18 chiffres) ou en partie (au moins 4 chiffres)."
            )
        nombre = len(chiffres(saisie))
        if nombre == 18:
            try:
                return analyser_numero_unique(saisie).valeur
            except ValidationError as erreur:
                raise forms.ValidationError(erreur.messages) from erreur
        if nombre < CHIFFRES_NU_PARTIEL or nombre > 18:
            raise forms.ValidationError(
                f"Le numéro unique compte 18 chiffres ; une partie du numéro en compte au moins "
                f"{CHIFFRES_NU_PARTIEL} (vous en avez saisi {nombre})."
            )
        return saisie

    def clean_telephone(self):
        saisie = self.cleaned_data.get("telephone") or ""
        if saisie.strip() and (len(chiffres(saisie)) < CHIFFRES_TELEPHONE or re.search(r"[^\d\s.+()\-]", saisie)):
            raise forms.ValidationError("Saisissez le numéro de téléphone en entier, par exemple 06 12 34 56 78.")
        return saisie

    def clean(self):
        donnees = super().clean()
        prenom_seul = (donnees.get("prenom") or "").strip() and not (donnees.get("nom") or "").strip()
        if prenom_seul and not donnees.get("date_naissance"):
            self.add_error(
                "nom",
                "Saisissez aussi le début du nom ou la date de naissance : "
                "la recherche par prénom seul n'est pas permise.",
            )
        for debut, fin, libelle in (
            ("depot_du", "depot_au", "dépôt"),
            ("expiration_du", "expiration_au", "renouvellement"),
        ):
            du, au = donnees.get(debut), donnees.get(fin)
            if du and au and au < du:
                self.add_error(fin, f"La date de fin ({libelle}) précède la date de début.")
        return donnees


def _date(label):
    return django_filters.DateFilter(
        label=label,
        method="filtrer_date",
        widget=DateSaisie(),
        input_formats=[FORMAT_DATE, "%d/%m/%y", "%Y-%m-%d"],
        error_messages={"invalid": "Date inconnue : saisissez-la au format jj/mm/aaaa."},
    )


class DemandeFilter(django_filters.FilterSet):
    nom = django_filters.CharFilter(
        label="Nom",
        method="filtrer_identite",
        help_text="Début du nom d'usage ou de naissance (marital ou jeune fille) du demandeur ou du "
        "co-demandeur ; accents inutiles.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "autofocus": True}),
    )
    prenom = django_filters.CharFilter(
        label="Prénom",
        method="filtrer_identite",
        help_text="Début du prénom ; seul, avec la date de naissance.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    date_naissance = django_filters.DateFilter(
        label="Date de naissance",
        method="filtrer_identite",
        widget=DateSaisie(),
        input_formats=[FORMAT_DATE, "%d/%m/%y", "%Y-%m-%d"],
        error_messages={"invalid": "Date inconnue : saisissez-la au format jj/mm/aaaa."},
        help_text="Du demandeur ou du co-demandeur.",
    )
    telephone = django_filters.CharFilter(
        label="Téléphone",
        method="filtrer_contact",
        help_text="Du demandeur, du co-demandeur ou du ménage.",
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    email = django_filters.CharFilter(
        label="Courriel",
        method="filtrer_contact",
        help_text="Adresse entière.",
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}),
    )
    numero_unique = django_filters.CharFilter(
        label="Numéro unique",
        method="filtrer_numero",
        help_text="En entier ou en partie (au moins 4 chiffres), espaces permis.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reference = django_filters.CharFilter(
        label="N° de dossier",
        method="filtrer_reference",
        help_text="Ex. 2014050081.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    etat = django_filters.ChoiceFilter(label="État", choices=Demande.Etat.choices, empty_label="Tous les états")
    nature = django_filters.ChoiceFilter(
        label="Nature", choices=choix.NatureDemande.choices, empty_label="Toutes les natures"
    )
    guichet = django_filters.ModelChoiceFilter(
        label="Guichet d'enregistrement",
        queryset=Guichet.objects.none(),
        empty_label="Tous les guichets",
    )
    depot_du = _date("Dépôt du")
    depot_au = _date("Dépôt au")
    expiration_du = _date("À renouveler du")
    expiration_au = _date("À renouveler au")
    label = django_filters.ModelChoiceFilter(
        label="Label (priorité, éligibilité)",
        queryset=TypeLabel.objects.none(),
        method="filtrer_label",
        empty_label="Tous",
    )
    contingent = django_filters.ModelChoiceFilter(
        label="Contingent de l'organisme",
        queryset=Organisme.objects.none(),
        method="filtrer_label",
        empty_label="Tous",
        help_text="Demandes portant un label de cet organisme (son contingent ou posé par lui).",
    )
    a_traiter = django_filters.ChoiceFilter(
        label="À traiter",
        choices=ATraiter.choices,
        method="filtrer_a_traiter",
        empty_label="Toutes les demandes",
    )
    brouillons_organisme = django_filters.BooleanFilter(
        label="Seulement les brouillons de mon organisme",
        method="filtrer_brouillons",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Demande
        fields = ["nom", "prenom", "numero_unique", "reference", "etat", "nature", "guichet"]
        form = RechercheDemandeForm

    CHAMPS_DATES = {
        "depot_du": "date_depot__gte",
        "depot_au": "date_depot__lte",
        "expiration_du": "date_expiration__gte",
        "expiration_au": "date_expiration__lte",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        organisme_id = getattr(user, "organisme_id", None)
        if organisme_id:
            # Guichets du département de l'organisme, et les siens où qu'ils soient.
            self.filters["guichet"].queryset = (
                Guichet.objects.filter(
                    Q(commune__departement_id=user.organisme.departement_id) | Q(organisme_id=organisme_id)
                )
                .select_related("commune")
                .order_by("nom")
            )
        self.filters["label"].queryset = TypeLabel.objects.filter(actif=True).order_by("famille", "libelle")
        self.filters["contingent"].queryset = Organisme.objects.filter(
            pk__in=TypeLabel.objects.filter(organisme_proprietaire__isnull=False).values("organisme_proprietaire")
        ).order_by("nom")

    def criteres(self) -> Criteres:
        """Critères validés pour la liste (``liste.recherche``) ; mêmes règles que ``qs``."""
        donnees = self.form.cleaned_data
        guichet = donnees.get("guichet")
        organisme_id = getattr(getattr(self.request, "user", None), "organisme_id", None)
        numero = chiffres(donnees.get("numero_unique") or "")
        return Criteres(
            etat=donnees.get("etat") or "",
            nature=donnees.get("nature") or "",
            guichet_id=guichet.pk if guichet else None,
            guichet_departement=guichet.commune.departement_id if guichet else "",
            depot_du=donnees.get("depot_du"),
            depot_au=donnees.get("depot_au"),
            expiration_du=donnees.get("expiration_du"),
            expiration_au=donnees.get("expiration_au"),
            nom=normaliser_nom(donnees.get("nom") or ""),
            prenom=normaliser_nom(donnees.get("prenom") or ""),
            numero_unique=numero if len(numero) == 18 else "",
            numero_partiel=numero if len(numero) < 18 else "",
            date_naissance=donnees.get("date_naissance"),
            telephone=chiffres_telephone(donnees.get("telephone") or ""),
            email=(donnees.get("email") or "").strip().lower(),
            a_traiter=donnees.get("a_traiter") or "",
            organisme_id=organisme_id if donnees.get("a_traiter") == ATraiter.PIECES else None,
            reference="".join((donnees.get("reference") or "").split()),
            brouillons_organisme_id=organisme_id if donnees.get("brouillons_organisme") else None,
            label_id=donnees["label"].pk if donnees.get("label") else None,
            contingent_id=donnees["contingent"].pk if donnees.get("contingent") else None,
        )

    @property
    def qs(self):
        # « À renouveler du … au … » ne concerne que les demandes actives (si
        # aucun autre état n'est demandé), triées par échéance : comme la liste.
        queryset = super().qs
        if self.is_bound and self.form.is_valid() and self.criteres().par_echeance:
            queryset = queryset.filter(etat=Demande.Etat.ACTIVE).order_by("date_expiration", "id")
        return queryset

    @extend_schema_field(OpenApiTypes.INT)  # identifiant du type de label ou de l'organisme
    def filtrer_label(self, queryset, name, value):
        if not value:
            return queryset
        if name == "label":
            return labels.filtrer_par_label(queryset, type_label=value)
        return labels.filtrer_par_label(queryset, organisme=value)

    def filtrer_identite(self, queryset, name, value):
        # Nom et prénom cherchés sur la même clé d'identité (demandeur ou
        # co-demandeur) ; le préfixe normalisé utilise l'index varchar_pattern_ops.
        saisis = [champ for champ in ("nom", "prenom", "date_naissance") if self.form.cleaned_data.get(champ)]
        if not saisis or name != saisis[0]:
            return queryset  # appliqué une fois, avec le premier critère d'identité saisi
        # Le nom d'usage ou le nom de naissance (« marital ou jeune fille », seed 004).
        conditions = Q()
        nom = normaliser_nom(self.form.cleaned_data.get("nom") or "")
        prenom = normaliser_nom(self.form.cleaned_data.get("prenom") or "")
        naissance = self.form.cleaned_data.get("date_naissance")
        if nom:
            conditions &= Q(nom__startswith=nom) | Q(nom_naissance__startswith=nom)
        if prenom:
            conditions &= Q(prenom__startswith=prenom)
        if naissance:
            conditions &= Q(date_naissance=naissance)
        if not conditions:
            return queryset
        return queryset.filter(pk__in=CleIdentite.objects.filter(conditions).values("demande_id"))

    def filtrer_numero(self, queryset, name, value):
        numero = chiffres(value)
        if not numero:
            return queryset
        if len(numero) == 18:
            return queryset.filter(numero_unique=numero)
        return queryset.filter(numero_unique__contains=numero)

    def filtrer_contact(self, queryset, name, value):
        if not value:
            return queryset
        if name == "telephone":
            return queryset.filter(pk__in=demandes_par_telephone(chiffres_telephone(value)))
        return queryset.filter(pk__in=demandes_par_email(value))

    def filtrer_a_traiter(self, queryset, name, value):
        if value == ATraiter.DOUBLONS:
            return queryset.filter(pk__in=demandes_suspectes())
        if value == ATraiter.PIECES:
            organisme_id = getattr(getattr(self.request, "user", None), "organisme_id", None)
            return sans_piece_identite(queryset.filter(etat=Demande.Etat.ACTIVE, organisme_saisie_id=organisme_id))
        return queryset

    def filtrer_reference(self, queryset, name, value):
        value = "".join(value.split())
        return queryset.filter(reference=value) if value else queryset

    def filtrer_date(self, queryset, name, value):
        return queryset.filter(**{self.CHAMPS_DATES[name]: value}) if value else queryset

    def filtrer_brouillons(self, queryset, name, value):
        if not value:
            return queryset
        organisme_id = getattr(getattr(self.request, "user", None), "organisme_id", None)
        return queryset.filter(etat=Demande.Etat.BROUILLON, organisme_saisie_id=organisme_id)
