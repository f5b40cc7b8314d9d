"""Sérialiseurs de l'API des candidats d'une vacance (lecture seule)."""

from rest_framework import serializers


class LabelCourtSerializer(serializers.Serializer):
    code = serializers.CharField()
    libelle = serializers.CharField()


class CandidatSerializer(serializers.Serializer):
    rang = serializers.IntegerField(help_text="Position dans le classement (points, puis ancienneté).")
    demande = serializers.IntegerField(
        source="demande.pk", help_text="Identifiant de la demande (/api/v1/demandes/{id}/)."
    )
    numero_unique = serializers.CharField(source="demande.numero_unique")
    nom = serializers.CharField(source="demande.nom")
    prenom = serializers.CharField(source="demande.prenom")
    points = serializers.IntegerField(
        source="ligne.points", allow_null=True, help_text="Points de la cotation du territoire de la vacance."
    )
    date_depot = serializers.DateField(source="ligne.date_depot", help_text="Ancienneté : date de dépôt initial.")
    nb_personnes = serializers.IntegerField(source="ligne.nb_personnes")
    rang_choix = serializers.IntegerField(source="ligne.rang", help_text="Rang du choix de la commune.")
    labels = LabelCourtSerializer(many=True, source="autres_labels")
    contingents = LabelCourtSerializer(many=True)
    nb_propositions = serializers.IntegerField(source="ligne.nb_propositions")
    nb_refus = serializers.IntegerField(
        source="ligne.nb_refus", help_text="Refus de proposition, d'être positionné ou d'attribution."
    )


class ExplicationSerializer(serializers.Serializer):
    demande = serializers.IntegerField(source="demande.pk")
    numero_unique = serializers.CharField(source="demande.numero_unique", allow_null=True)
    nom = serializers.CharField(source="demande.nom")
    prenom = serializers.CharField(source="demande.prenom")
    proposee = serializers.BooleanField(help_text="Vrai si la demande est dans la liste des candidats.")
    rang = serializers.IntegerField(allow_null=True, help_text="Son rang si elle est proposée.")
    rang_au_dela = serializers.BooleanField(
        help_text="Vrai si le rang n'est pas décompté : plus de 500 candidats sont classés devant (rang = 501)."
    )
    raisons = serializers.ListField(child=serializers.CharField(), help_text="Raisons d'exclusion, en français.")


class PageCandidatsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Nombre de candidats (au plus 201 : voir count_plafonne).")
    count_plafonne = serializers.BooleanField(help_text="Vrai au-delà de 200 candidats.")
    page = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    avertissements = serializers.ListField(child=serializers.CharField())
    results = CandidatSerializer(many=True)
    explications = ExplicationSerializer(many=True, required=False)
