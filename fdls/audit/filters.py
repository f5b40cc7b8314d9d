"""Recherche dans le journal des consultations (django-filter)."""

import re
from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.apps import apps
from django.db.models import Value
from django.db.models.functions import Replace
from django.utils import timezone

from fdls.audit.models import Consultation
from fdls.organismes.models import Organisme
from fdls.socle.accents import Pli, pli
from fdls.socle.typographie import chiffres

# Paquets du projet dont les objets peuvent figurer au journal (hors contrib Django).
PAQUETS_DU_PROJET = ("fdls", "demandes", "offre", "instruction", "cotation", "observatoire", "portail")
MESSAGE_DATE = "Saisissez une date valide au format JJ/MM/AAAA (ex. 31/01/2026)."


#: Une saisie faite seulement de chiffres et de séparateurs est un numéro unique (entier ou partiel).
NU_SAISI = re.compile(r"^[\d\s.\-/]+$")
#: Chiffres au moins d'un numéro unique partiel (en deçà, trop de libellés y répondraient).
CHIFFRES_MIN_NU = 4


def types_objet() -> list[tuple[str, str]]:
    """Types d'objets journalisables, en français, lus dans le registre des modèles (sans requête sur le journal).

    Deux modèles de même nom (rare) sont distingués par leur application.
    """
    modeles = [m for m in apps.get_models() if m.__module__.split(".")[0] in PAQUETS_DU_PROJET]
    noms = [str(m._meta.verbose_name).capitalize() for m in modeles]
    return sorted(
        (
            (m._meta.label_lower, nom if noms.count(nom) == 1 else f"{nom} ({m._meta.app_config.verbose_name})")
            for m, nom in zip(modeles, noms, strict=True)
        ),
        key=lambda choix: choix[1],
    )


class PeriodeForm(forms.Form):
    def clean(self):
        donnees = super().clean()
        du, au = donnees.get("du"), donnees.get("au")
        if du and au and du > au:
            self.add_error("au", "La date de fin doit être égale ou postérieure à la date de début.")
        return donnees


def _debut_du_jour(jour):
    return timezone.make_aware(datetime.combine(jour, time.min))


class ConsultationFilter(django_filters.FilterSet):
    recherche = django_filters.CharFilter(
        label="Numéro unique ou nom",
        method="filtrer_recherche",
        help_text="NU entier ou partiel, espaces libres ; ou nom.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    utilisateur = django_filters.CharFilter(
        label="Utilisateur",
        field_name="utilisateur_libelle",
        lookup_expr="icontains",
        help_text="Partie de l'adresse ou du nom.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    organisme = django_filters.ModelChoiceFilter(
        label="Organisme", queryset=Organisme.objects.order_by("nom"), empty_label="Tous les organismes"
    )
    action = django_filters.ChoiceFilter(
        label="Action", choices=Consultation.Action.choices, empty_label="Toutes les actions"
    )
    objet_type = django_filters.ChoiceFilter(label="Type d'objet", choices=types_objet, empty_label="Tous les types")
    objet_id = django_filters.CharFilter(label="Identifiant de l'objet", method="filtrer_objet_id")
    du = django_filters.DateFilter(
        label="Du",
        method="filtrer_du",
        help_text="JJ/MM/AAAA",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"invalid": MESSAGE_DATE},
    )
    au = django_filters.DateFilter(
        label="Au",
        method="filtrer_au",
        help_text="JJ/MM/AAAA, jour inclus",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"invalid": MESSAGE_DATE},
    )

    class Meta:
        model = Consultation
        fields = ["recherche", "utilisateur", "organisme", "action", "objet_type", "objet_id", "du", "au"]
        form = PeriodeForm

    def filtrer_recherche(self, queryset, name, value):
        """Dans l'objet consulté tel qu'il a été montré (libellé du journal : numéro unique, nom, prénom)."""
        value = value.strip()
        if not value:
            return queryset
        if NU_SAISI.match(value) and len(chiffres(value)) >= CHIFFRES_MIN_NU:
            # Libellés écrits avec ou sans groupes (044 1226 000035 10001) : comparés sans les espaces.
            compact = Replace("objet_libelle", Value(" "), Value(""))
            return queryset.alias(libelle_compact=compact).filter(libelle_compact__contains=chiffres(value))
        # Sans accents ni casse : « helene » trouve « HÉLÈNE » (fdls.socle.accents).
        queryset = queryset.alias(libelle_plie=Pli("objet_libelle"))
        for mot in value.split():
            queryset = queryset.filter(libelle_plie__contains=pli(mot))
        return queryset

    def filtrer_objet_id(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(objet_id=value) if value else queryset

    # Bornes en heure de Paris, sur la colonne indexée (pas de created_at::date).
    def filtrer_du(self, queryset, name, value):
        return queryset.filter(created_at__gte=_debut_du_jour(value))

    def filtrer_au(self, queryset, name, value):
        return queryset.filter(created_at__lt=_debut_du_jour(value + timedelta(days=1)))
