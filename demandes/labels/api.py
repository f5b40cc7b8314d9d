"""API des labels d'une demande : liste, pose, retrait (``labels.services``).

Lecture : la demande doit être visible (404 sinon, sans révéler qu'elle
existe) et la lecture est journalisée. Écriture : jeton de portée
« écriture » ; hors des droits de l'organisme (réservataire de son
contingent, DDETS pour les labels CP, jamais un label automatique) : 403 avec
le motif en français, tentative inscrite au journal ; saisie invalide ou
label déjà posé : 400 par champ (``LabelRefuse`` et ``ValidationError`` rendus par
``fdls.socle.api.erreurs``). Routes incluses par ``demandes/api.py``.
"""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from demandes.dossier.models import Demande
from demandes.dossier.serializers import ErreurSaisieSerializer, ErreurSerializer, valider
from demandes.dossier.vues import demande_visible
from demandes.labels import services as labels
from demandes.labels.models import Label, TypeLabel
from fdls.acces.api import EstAgentAuthentifie, VoitDonneesNominatives
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation
from fdls.socle.vues import objet_ou_404


class TypeLabelSerializer(serializers.ModelSerializer):
    organisme_proprietaire_nom = serializers.CharField(
        source="organisme_proprietaire.nom", read_only=True, default=None, allow_null=True
    )
    posable = serializers.SerializerMethodField(help_text="Votre organisme peut-il poser et retirer ce label ?")

    class Meta:
        model = TypeLabel
        fields = [
            "code",
            "libelle",
            "famille",
            "organisme_proprietaire",
            "organisme_proprietaire_nom",
            "type_organisme_autorise",
            "automatique",
            "regle",
            "posable",
        ]
        read_only_fields = fields

    def get_posable(self, obj) -> bool:
        return labels.peut_poser(self.context["request"].user, obj)


class LabelSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="type.code", read_only=True, help_text="Code du label.")
    libelle = serializers.CharField(source="type.libelle", read_only=True)
    famille = serializers.CharField(source="type.famille", read_only=True)
    automatique = serializers.BooleanField(source="type.automatique", read_only=True)
    organisme_nom = serializers.CharField(source="organisme.nom", read_only=True, default=None, allow_null=True)
    actif = serializers.BooleanField(read_only=True)

    class Meta:
        model = Label
        fields = [
            "id",
            "type",
            "libelle",
            "famille",
            "automatique",
            "actif",
            "organisme",
            "organisme_nom",
            "date_pose",
            "auteur_libelle",
            "commentaire",
            "date_retrait",
            "retire_par_libelle",
            "motif_retrait",
        ]
        read_only_fields = fields


class PoseSerializer(serializers.Serializer):
    type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=TypeLabel.objects.filter(actif=True),
        help_text="Code du label (liste : `/api/v1/types-labels/`).",
        error_messages={"does_not_exist": "Label inconnu : aucun label n'a le code « {value} »."},
    )
    date_pose = serializers.DateField(required=False, help_text="Date de pose (AAAA-MM-JJ), aujourd'hui par défaut.")
    commentaire = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class RetraitSerializer(serializers.Serializer):
    motif = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


PARAMETRE_ID = OpenApiParameter("demande_id", int, OpenApiParameter.PATH, description="Identifiant de la demande.")
PARAMETRE_LABEL = OpenApiParameter("label_id", int, OpenApiParameter.PATH, description="Identifiant du label.")
ERREURS = {
    400: OpenApiResponse(ErreurSaisieSerializer, description="Saisie invalide, label déjà posé ou déjà retiré."),
    403: OpenApiResponse(
        ErreurSerializer,
        description="Jeton en lecture seule, ou label hors des droits de votre organisme (motif dans `detail`).",
    ),
    404: OpenApiResponse(ErreurSerializer, description="Demande inexistante ou hors de votre périmètre."),
}


class _Base(APIView):
    permission_classes = [EstAgentAuthentifie, VoitDonneesNominatives]

    def _demande(self, pk) -> Demande:
        return demande_visible(self.request, pk, action=Consultation.Action.API)


@extend_schema(tags=["labels"])
class TypesLabelsView(_Base):
    @extend_schema(
        summary="Référentiel des labels",
        description="Priorités, éligibilités et contingents, avec `posable` : ce que votre organisme peut poser.",
        responses={200: TypeLabelSerializer(many=True)},
    )
    def get(self, request):
        types = TypeLabel.objects.filter(actif=True).select_related("organisme_proprietaire")
        return Response(TypeLabelSerializer(types, many=True, context={"request": request}).data)


@extend_schema(tags=["labels"])
class LabelsDemandeView(_Base):
    @extend_schema(
        summary="Labels d'une demande",
        description="Labels en cours puis retirés (l'historique se garde). La lecture est journalisée.",
        parameters=[PARAMETRE_ID],
        responses={200: LabelSerializer(many=True), 403: ERREURS[403], 404: ERREURS[404]},
    )
    def get(self, request, demande_id):
        demande = self._demande(demande_id)
        journaliser_consultation(user=request.user, objet=demande, action=Consultation.Action.API, request=request)
        tous = labels.labels_de(demande)
        return Response(LabelSerializer(tous["actifs"] + tous["retires"], many=True).data)

    @extend_schema(
        summary="Poser un label",
        description=(
            "Pose un label sur une demande active. Un réservataire pose ses contingents, la DDETS les seuls "
            "labels CP ; un label automatique (1er quartile) ne se pose pas à la main : 403 avec le motif. "
            "Jeton de portée « écriture »."
        ),
        parameters=[PARAMETRE_ID],
        request=PoseSerializer,
        responses={201: LabelSerializer, **ERREURS},
    )
    def post(self, request, demande_id):
        demande = self._demande(demande_id)
        donnees = valider(PoseSerializer(data=request.data))
        label = labels.poser_label(
            demande,
            donnees["type"],
            user=request.user,
            date_pose=donnees.get("date_pose"),
            commentaire=donnees.get("commentaire", ""),
        )
        return Response(LabelSerializer(label).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["labels"])
class RetraitLabelView(_Base):
    @extend_schema(
        summary="Retirer un label",
        description=(
            "Retire un label en cours, dans les droits de votre organisme ; il reste dans la liste avec sa date "
            "et l'auteur du retrait. Jeton de portée « écriture »."
        ),
        parameters=[PARAMETRE_ID, PARAMETRE_LABEL],
        request=RetraitSerializer,
        responses={200: LabelSerializer, **ERREURS},
    )
    def post(self, request, demande_id, label_id):
        demande = self._demande(demande_id)
        label = objet_ou_404(Label.objects.select_related("type", "demande"), label_id, demande=demande)
        donnees = valider(RetraitSerializer(data=request.data))
        label = labels.retirer_label(label, user=request.user, motif=donnees.get("motif", ""))
        return Response(LabelSerializer(label).data)


urlpatterns = [
    path("types-labels/", TypesLabelsView.as_view(), name="type-label-list"),
    path("demandes/<int:demande_id>/labels/", LabelsDemandeView.as_view(), name="demande-labels"),
    path(
        "demandes/<int:demande_id>/labels/<int:label_id>/retrait/",
        RetraitLabelView.as_view(),
        name="demande-label-retrait",
    ),
]
