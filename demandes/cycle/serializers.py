"""Sérialiseurs des écritures du cycle de vie : création, modification, annulation, réactivation, et leur résultat."""

import base64
import binascii

from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from demandes.dossier import choix
from demandes.dossier.models import Demande
from demandes.dossier.serializers import ChampsInconnusRefuses, DemandeDetailSerializer, DemandeEcritureSerializer


class ChangementSerializer(serializers.Serializer):
    rubrique = serializers.CharField()
    champ = serializers.CharField()
    ancien = serializers.CharField()
    nouveau = serializers.CharField()


class DoublonCandidatSerializer(serializers.Serializer):
    """Demande dont un titulaire ressemble à un titulaire du dossier (score ≥ seuil).

    Comme à l'écran (``doublons.candidats_affichables``, CCH R441-2-6) : pour une
    demande hors de votre périmètre, seuls son numéro unique et son guichet
    sont donnés, de quoi éviter un second enregistrement et joindre ce guichet.
    """

    demande = serializers.IntegerField(
        allow_null=True,
        help_text="Identifiant de la demande candidate (pour `doublons_ecartes`) ; null hors de votre périmètre.",
    )
    hors_territoire = serializers.BooleanField(
        help_text="Demande hors de votre périmètre : ni identité, ni score, et elle ne peut pas être écartée."
    )
    numero_unique = serializers.CharField()
    guichet_code = serializers.CharField()
    guichet_nom = serializers.CharField()
    score = serializers.IntegerField(allow_null=True, help_text="Ressemblance de 0 à 100.")
    motif = serializers.CharField(help_text="Ce qui se ressemble (date de naissance, noms…).")
    nom = serializers.CharField(allow_null=True)
    prenom = serializers.CharField(allow_null=True)
    etat = serializers.ChoiceField(choices=Demande.Etat.choices, allow_null=True)


class DemandeResultatSerializer(DemandeDetailSerializer):
    """Le dossier après une écriture, avec ce que l'écriture a produit."""

    changements = serializers.SerializerMethodField(
        help_text="Modifications inscrites à l'historique (ancienne et nouvelle valeur lisibles)."
    )
    doublons_candidats = serializers.SerializerMethodField(
        help_text="Demandes qui pourraient concerner le même ménage : à vérifier avant d'enregistrer."
    )

    class Meta(DemandeDetailSerializer.Meta):
        fields = [*DemandeDetailSerializer.Meta.fields, "changements", "doublons_candidats"]
        read_only_fields = fields

    @extend_schema_field(ChangementSerializer(many=True))
    def get_changements(self, demande):
        return self.context.get("changements", [])

    @extend_schema_field(DoublonCandidatSerializer(many=True))
    def get_doublons_candidats(self, demande):
        return self.context.get("doublons_candidats", [])


class PieceJointeSerializer(ChampsInconnusRefuses, serializers.Serializer):
    """Un fichier joint dans le corps JSON : son nom et son contenu en base64."""

    nom = serializers.CharField(max_length=255, help_text="Nom du fichier, par exemple « carte-identite.pdf ».")
    contenu = serializers.CharField(
        help_text="Contenu du fichier encodé en base64 : PDF, JPEG ou PNG, 10 Mo au plus (contenu vérifié)."
    )

    def validate_contenu(self, valeur):
        try:
            return base64.b64decode(valeur, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise serializers.ValidationError("Contenu illisible : encodez le fichier en base64.") from exc

    def to_internal_value(self, data):
        valeurs = super().to_internal_value(data)
        return SimpleUploadedFile(valeurs["nom"], valeurs["contenu"])


PIECE_IDENTITE_AIDE = (
    "Pièce d'identité du demandeur, obligatoire pour enregistrer (seed 001 §2) : jointe au dossier dans la même "
    "transaction. Inutile si elle est déjà jointe au brouillon (`POST /demandes/{id}/pieces/`)."
)


class DemandeCreationSerializer(DemandeEcritureSerializer):
    """Nouvelle demande : le ménage, la situation actuelle, le logement recherché, les communes souhaitées."""

    piece_identite = PieceJointeSerializer(required=False, write_only=True, help_text=PIECE_IDENTITE_AIDE)

    class Meta(DemandeEcritureSerializer.Meta):
        fields = [*DemandeEcritureSerializer.Meta.fields, "piece_identite"]


class DemandeModificationSerializer(DemandeEcritureSerializer):
    """Modification (PUT) : le ménage entier est envoyé ; les autres champs absents restent inchangés ;
    ``localisations``, si présent, remplace la liste entière."""

    guichet = serializers.RegexField(
        r"^\d{5}$",
        max_length=5,
        required=False,
        error_messages={"invalid": "Le code guichet compte exactement 5 chiffres."},
        help_text="Brouillon seulement : change le guichet d'enregistrement. Une demande enregistrée garde le sien.",
    )
    piece_identite = PieceJointeSerializer(required=False, write_only=True, help_text=PIECE_IDENTITE_AIDE)

    class Meta(DemandeEcritureSerializer.Meta):
        fields = [*DemandeEcritureSerializer.Meta.fields, "piece_identite"]


class DemandeModificationPartielleSerializer(DemandeModificationSerializer):
    """Modification partielle (PATCH) : seuls les champs envoyés changent, ``personnes`` compris.

    Chaque personne ou localisation envoyée reste décrite en entier : la
    validation n'est pas « partielle » au sens de DRF, seuls les champs du
    premier niveau deviennent facultatifs.
    """

    class Meta(DemandeModificationSerializer.Meta):
        pass

    def get_fields(self):
        champs = super().get_fields()
        champs["personnes"].required = False
        return champs


class AnnulationSerializer(ChampsInconnusRefuses, serializers.Serializer):
    motif = serializers.ChoiceField(
        choices=[(m.value, m.label) for m in choix.MOTIFS_ANNULATION_AGENT],
        help_text="Motif de l'annulation ; « autre » exige un commentaire.",
    )
    commentaire = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReactivationSerializer(ChampsInconnusRefuses, serializers.Serializer):
    motif = serializers.CharField(max_length=500, help_text="Pourquoi la demande est réactivée (historique).")
