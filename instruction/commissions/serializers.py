"""Sérialiseurs de l'API des commissions : séances, ordre du jour, décisions et baux (les règles sont dans les
services ; erreurs en français par champ)."""

from __future__ import annotations

from rest_framework import serializers

from demandes.dossier.choix import TypePiece
from instruction.commissions.models import Bail, Candidature, DecisionCal, Examen, MotifDecision, Seance
from instruction.propositions.models import MotifRefus


class SeanceSerializer(serializers.ModelSerializer):
    commission = serializers.CharField(source="commission.nom", read_only=True)
    bailleur = serializers.CharField(source="commission.bailleur.nom", read_only=True)

    class Meta:
        model = Seance
        fields = ["id", "commission", "bailleur", "date", "heure", "lieu", "a_distance", "fin_vote", "etat"]
        read_only_fields = fields


class SeanceCreationSerializer(serializers.Serializer):
    commission = serializers.IntegerField()
    date_seance = serializers.DateField()
    lieu = serializers.CharField(required=False, allow_blank=True, default="")
    a_distance = serializers.BooleanField(required=False, default=False)


# La décision de la commission et ses suites, telles que l'API les rend.
DECISION = ["decision", "rang", "motif", "commentaire", "piece_manquante", "date_limite"]
SUITES_DECISION = [*DECISION, "piece_recue_le", "reponse_le", "motif_refus"]


class CandidatureSerializer(serializers.ModelSerializer):
    numero_unique = serializers.CharField(source="demande.numero_unique", read_only=True)

    class Meta:
        model = Candidature
        fields = ["id", "demande", "numero_unique", "positionnement", "ordre", *SUITES_DECISION, "etat"]
        read_only_fields = fields


class ExamenSerializer(serializers.ModelSerializer):
    logement = serializers.CharField(source="disponibilite.logement", read_only=True)
    candidatures = CandidatureSerializer(many=True, read_only=True)

    class Meta:
        model = Examen
        fields = ["id", "ordre", "disponibilite", "logement", "moins_de_trois", "commentaire", "candidatures"]
        read_only_fields = fields


class InscriptionSerializer(serializers.Serializer):
    disponibilite = serializers.IntegerField()
    moins_de_trois = serializers.ChoiceField(choices=Examen.MoinsDeTrois.choices, required=False, allow_blank=True)
    commentaire = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=DecisionCal.choices)
    rang = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=20, default=None)
    motif = serializers.ChoiceField(choices=MotifDecision.choices, required=False, allow_blank=True, default="")
    commentaire = serializers.CharField(required=False, allow_blank=True, default="")
    piece_manquante = serializers.ChoiceField(choices=TypePiece.choices, required=False, allow_blank=True, default="")
    date_limite = serializers.DateField(required=False, allow_null=True, default=None)


class ReponseAttributionSerializer(serializers.Serializer):
    reponse = serializers.ChoiceField(choices=[("accepter", "Acceptée"), ("refuser", "Refusée")])
    motif = serializers.ChoiceField(choices=MotifRefus.choices, required=False, allow_blank=True, default="")
    commentaire = serializers.CharField(required=False, allow_blank=True, default="")
    date_reponse = serializers.DateField(required=False, allow_null=True, default=None)


class ConditionSerializer(serializers.Serializer):
    recue_le = serializers.DateField()


class BailCreationSerializer(serializers.Serializer):
    signe_le = serializers.DateField()
    entree_le = serializers.DateField()


class BailSerializer(serializers.ModelSerializer):
    logement = serializers.CharField(source="disponibilite.logement", read_only=True)

    class Meta:
        model = Bail
        fields = ["id", "candidature", "demande", "disponibilite", "logement", "reservataire", "signe_le", "entree_le"]
        read_only_fields = fields
