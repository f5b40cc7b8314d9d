"""Sérialiseurs de l'API de l'instruction d'une vacance : lecture des positionnements, contacts et propositions ;
saisie des actions (les règles sont dans les services, erreurs en français par champ)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from fdls.organismes.models import Organisme
from instruction.propositions import selectors
from instruction.propositions.models import Contact, MotifRefus, Positionnement, Proposition
from offre.models import TYPES_RESERVATAIRES


class PropositionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Proposition
        fields = [
            "id",
            "positionnement",
            "demande",
            "disponibilite",
            "date_envoi",
            "date_limite",
            "date_reponse",
            "etat",
            "motif_refus",
            "commentaire",
            "organisme",
        ]
        read_only_fields = fields


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = [
            "id",
            "demande",
            "disponibilite",
            "positionnement",
            "date",
            "etape",
            "mode",
            "resultat",
            "motif",
            "commentaire",
            "organisme",
        ]
        read_only_fields = fields


class PositionnementSerializer(serializers.ModelSerializer):
    numero_unique = serializers.CharField(source="demande.numero_unique", read_only=True)
    propositions = PropositionSerializer(many=True, read_only=True)

    class Meta:
        model = Positionnement
        fields = [
            "id",
            "disponibilite",
            "demande",
            "numero_unique",
            "designation",
            "reservataire",
            "rang",
            "etat",
            "organisme",
            "created_at",
            "propositions",
        ]
        read_only_fields = fields


class PositionnementCreationSerializer(serializers.Serializer):
    demande = serializers.CharField(
        max_length=40, help_text="Numéro unique (18 chiffres, espaces permis) ou identifiant de la demande."
    )
    designation = serializers.ChoiceField(
        choices=Positionnement.Designation.choices,
        required=False,
        help_text="Bailleur ou réservataire ; par défaut selon l'organisme de l'agent.",
    )
    reservataire = serializers.PrimaryKeyRelatedField(
        queryset=Organisme.objects.filter(type__in=TYPES_RESERVATAIRES),
        required=False,
        allow_null=True,
        help_text="Réservataire désignataire (par défaut : celui dont c'est le tour).",
    )

    def validate_demande(self, valeur):
        try:
            return selectors.demande_par_numero(self.context["request"].user, valeur)
        except DjangoValidationError as erreur:
            raise serializers.ValidationError(erreur.messages) from erreur


class RetraitPositionnementSerializer(serializers.Serializer):
    motif = serializers.CharField(max_length=500, error_messages={"blank": "Indiquez le motif du retrait."})


class ContactCreationSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="Date du contact (AAAA-MM-JJ), ni future ni antérieure au dépôt.")
    etape = serializers.ChoiceField(choices=Contact.Etape.choices, default=Contact.Etape.PRE_CAL)
    mode = serializers.ChoiceField(choices=Contact.Mode.choices)
    resultat = serializers.ChoiceField(choices=Contact.Resultat.choices)
    motif = serializers.ChoiceField(choices=MotifRefus.choices, required=False, allow_blank=True, default="")
    commentaire = serializers.CharField(required=False, allow_blank=True, default="")


class PropositionCreationSerializer(serializers.Serializer):
    date_envoi = serializers.DateField(required=False, help_text="Par défaut : aujourd'hui.")
    date_limite = serializers.DateField(required=False, help_text="Par défaut : 10 jours après l'envoi (90 au plus).")
    commentaire = serializers.CharField(required=False, allow_blank=True, default="")


class ReponseSerializer(serializers.Serializer):
    reponse = serializers.ChoiceField(choices=[("accepter", "Acceptée"), ("refuser", "Refusée")])
    motif = serializers.ChoiceField(
        choices=MotifRefus.choices, required=False, allow_blank=True, default="", help_text="Obligatoire pour un refus."
    )
    commentaire = serializers.CharField(required=False, allow_blank=True, default="")
    date_reponse = serializers.DateField(required=False, allow_null=True, default=None)
