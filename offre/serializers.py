"""Sérialiseurs de l'API du parc : lecture, écriture (bailleur propriétaire), import.

Ils ne valident que la forme ; les règles de cohérence (loyer au m²,
maison au rez-de-chaussée, transitions…) sont vérifiées par les services,
dont les erreurs deviennent des 400 par champ (``fdls/socle/api/erreurs.py``).
"""

from rest_framework import serializers

from fdls.socle.api.serialiseurs import RefuseChampsInconnus
from offre import selectors
from offre.importation.analyse import MAX_OCTETS
from offre.models import (
    Disponibilite,
    DisponibiliteEvenement,
    EtatDisponibilite,
    ImportLogements,
    Label,
    Logement,
    Programme,
)
from offre.services import CHAMPS_LOGEMENT, CHAMPS_PROGRAMME


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = [
            "id",
            "bailleur",
            "code",
            "nom",
            "adresse",
            "commune",
            "departement",
            "quartier",
            "qpv",
            "annee_construction",
            "financement",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProgrammeEcritureSerializer(RefuseChampsInconnus, serializers.ModelSerializer):
    """Création : le bailleur est celui de l'agent ; le QPV est déduit du quartier s'il est donné."""

    class Meta:
        model = Programme
        fields = list(CHAMPS_PROGRAMME)


class ProgrammeModificationSerializer(ProgrammeEcritureSerializer):
    class Meta(ProgrammeEcritureSerializer.Meta):
        read_only_fields = ["code"]


class LogementSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text="« NOM DU PROGRAMME (code programme - code logement) »")
    labels = serializers.ListField(child=serializers.ChoiceField(choices=Label.choices), read_only=True)

    class Meta:
        model = Logement
        fields = [
            "id",
            "reference",
            "programme",
            "code",
            "bailleur",
            "commune",
            "departement",
            "quartier",
            "qpv",
            *CHAMPS_LOGEMENT[1:],
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class LogementEcritureSerializer(RefuseChampsInconnus, serializers.ModelSerializer):
    labels = serializers.ListField(
        child=serializers.ChoiceField(choices=Label.choices), required=False, help_text="Offre spécifique."
    )

    class Meta:
        model = Logement
        fields = ["programme", *CHAMPS_LOGEMENT]
        # Le code en double est signalé par le service, sur le champ « code ».
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        requete = self.context.get("request")
        if "programme" in self.fields and requete is not None:
            # Un programme d'un autre bailleur est « introuvable » pour l'agent.
            self.fields["programme"].queryset = Programme.objects.modifiables_par(requete.user)
        if "reservataire" in self.fields:
            self.fields["reservataire"].queryset = selectors.reservataires()


class LogementModificationSerializer(LogementEcritureSerializer):
    class Meta(LogementEcritureSerializer.Meta):
        fields = list(CHAMPS_LOGEMENT)
        read_only_fields = ["code"]


class DisponibiliteEvenementSerializer(serializers.ModelSerializer):
    # Noms publiés de l'API gardés (``created_at``, ``motif``) : le journal suit le modèle commun du socle.
    created_at = serializers.DateTimeField(source="date", read_only=True)
    motif = serializers.CharField(source="commentaire", read_only=True)

    class Meta:
        model = DisponibiliteEvenement
        fields = ["created_at", "auteur", "organisme", "etat_avant", "etat_apres", "motif"]
        read_only_fields = fields


class DisponibiliteSerializer(serializers.ModelSerializer):
    evenements = DisponibiliteEvenementSerializer(many=True, read_only=True)

    class Meta:
        model = Disponibilite
        fields = [
            "id",
            "logement",
            "date_disponibilite",
            "motif",
            "reservataire",
            "etat",
            "commentaire",
            "evenements",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DeclarationSerializer(RefuseChampsInconnus, serializers.ModelSerializer):
    """Déclarer la vacance d'un logement du bailleur de l'agent."""

    class Meta:
        model = Disponibilite
        fields = ["logement", "date_disponibilite", "motif", "reservataire", "commentaire"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        requete = self.context.get("request")
        if requete is not None:
            self.fields["logement"].queryset = Logement.objects.modifiables_par(requete.user)
        self.fields["reservataire"].queryset = selectors.reservataires()


class TransitionSerializer(RefuseChampsInconnus, serializers.Serializer):
    etat = serializers.ChoiceField(choices=EtatDisponibilite.choices, help_text="État d'arrivée (docs/statuts.md).")
    motif = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text="Obligatoire pour remettre à pourvoir ou retirer une vacance.",
    )


class ImportDemandeSerializer(RefuseChampsInconnus, serializers.Serializer):
    fichier = serializers.FileField(
        help_text=f"CSV ou XLSX, {MAX_OCTETS // 2**20} Mo au plus (colonnes : docs/offre.md)."
    )
    lignes_valides_seulement = serializers.BooleanField(
        default=False,
        help_text="Si le fichier contient des erreurs, importer quand même les lignes valides.",
    )


class ErreurLigneSerializer(serializers.Serializer):
    ligne = serializers.IntegerField(allow_null=True, help_text="Numéro de ligne dans le fichier (1 : en-têtes).")
    colonne = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class ImportSerializer(serializers.ModelSerializer):
    erreurs = ErreurLigneSerializer(many=True, read_only=True)
    avertissements = serializers.ListField(child=serializers.CharField(), read_only=True)
    nb_valides = serializers.IntegerField(read_only=True)

    class Meta:
        model = ImportLogements
        fields = [
            "id",
            "etat",
            "nom_fichier",
            "nb_lignes",
            "nb_valides",
            "nb_erreurs",
            "nb_crees",
            "nb_modifies",
            "nb_programmes",
            "erreurs",
            "avertissements",
            "created_at",
            "importe_le",
        ]
        read_only_fields = fields
