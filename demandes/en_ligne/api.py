"""API des demandes en ligne : dépôt (à valider), file des guichets, validation, rejet (``en_ligne.services``).

Le dépôt par l'API tient lieu de portail du demandeur tant qu'il n'existe
pas : un partenaire (site de saisie en ligne) transmet un dossier complet,
créé à l'état « à valider », sans numéro unique. La file, la validation
(contrôle d'identité coché : c'est l'enregistrement, numéro unique au guichet
qui valide) et le rejet (motif obligatoire) sont réservés aux agents d'un
guichet accompagnateur. Routes incluses par ``demandes/api.py``. Une transition
refusée répond 409, un refus de droits 403 (``fdls.socle.api.erreurs``).
"""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from demandes.dossier import choix
from demandes.dossier.models import Demande
from demandes.dossier.saisie import Dossier
from demandes.dossier.selectors import avec_dossier
from demandes.dossier.serializers import (
    DemandeDetailSerializer,
    DemandeEcritureSerializer,
    ErreurSaisieSerializer,
    ErreurSerializer,
    dossier_saisi,
    valider,
)
from demandes.dossier.vues import demande_visible
from demandes.en_ligne import services as en_ligne
from fdls import acces
from fdls.acces.api import EstAgentAuthentifie, VoitDonneesNominatives
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation, journaliser_liste
from fdls.organismes.models import Guichet

MESSAGE_DEPOT_REFUSE = (
    "Le dépôt en ligne par l'API est ouvert aux guichets accompagnateurs et au gestionnaire du fichier "
    "(site de saisie en ligne)."
)


class DepotEnLigneSerializer(DemandeEcritureSerializer):
    """Le dossier complet déposé en ligne : ménage, situation, logement recherché, communes souhaitées."""

    guichet = serializers.RegexField(
        r"^\d{5}$",
        max_length=5,
        required=False,
        error_messages={"invalid": "Le code guichet compte exactement 5 chiffres."},
        help_text="Guichet accompagnateur qui validera ; par défaut celui qui reçoit les demandes en ligne de la "
        "première commune souhaitée.",
    )
    brouillon = None
    doublons_ecartes = None

    class Meta(DemandeEcritureSerializer.Meta):
        fields = [f for f in DemandeEcritureSerializer.Meta.fields if f not in ("brouillon", "doublons_ecartes")]

    def validate_guichet(self, code):
        guichet = Guichet.objects.select_related("commune").filter(code=code).first()
        if guichet is None:
            raise serializers.ValidationError(f"Guichet inconnu : aucun guichet n'a le code « {code} ».")
        if not (guichet.peut_enregistrer and guichet.actif):
            raise serializers.ValidationError(
                f"Le guichet {guichet.nom} ne valide pas de demandes : choisissez un guichet accompagnateur ouvert."
            )
        return guichet


class DemandeAValiderSerializer(serializers.ModelSerializer):
    premiere_commune = serializers.CharField(read_only=True, allow_null=True)
    piece_identite = serializers.BooleanField(read_only=True, help_text="Une pièce d'identité valide est jointe.")
    guichet_code = serializers.CharField(source="guichet.code", read_only=True)

    class Meta:
        model = Demande
        fields = [
            "id",
            "etat",
            "date_depot",
            "nom",
            "prenom",
            "date_naissance",
            "premiere_commune",
            "piece_identite",
            "guichet_code",
        ]
        read_only_fields = fields


class ValidationSerializer(serializers.Serializer):
    identite_verifiee = serializers.BooleanField(
        help_text="Obligatoirement `true` : l'identité du demandeur a été contrôlée sur sa pièce d'identité."
    )
    guichet = serializers.RegexField(
        r"^\d{5}$",
        max_length=5,
        required=False,
        error_messages={"invalid": "Le code guichet compte exactement 5 chiffres."},
        help_text="Guichet accompagnateur de votre organisme qui enregistre (son code termine le numéro unique).",
    )


class RejetSerializer(serializers.Serializer):
    motif = serializers.CharField(
        max_length=2000,
        allow_blank=True,
        help_text="Motif du rejet, obligatoire (conservé dans l'historique).",
    )


def _detail(request, demande) -> dict:
    demande = avec_dossier(Demande.objects).get(pk=demande.pk)
    journaliser_consultation(user=request.user, objet=demande, action=Consultation.Action.API, request=request)
    return DemandeDetailSerializer(demande, context={"request": request}).data


PARAMETRE_ID = OpenApiParameter("demande_id", int, OpenApiParameter.PATH, description="Identifiant de la demande.")
ERREUR_403 = OpenApiResponse(
    ErreurSerializer, description="Jeton en lecture seule, ou rôle sans guichet accompagnateur."
)
ERREUR_404 = OpenApiResponse(ErreurSerializer, description="Demande inexistante ou hors de votre périmètre.")
ERREUR_400 = OpenApiResponse(ErreurSaisieSerializer, description="Saisie invalide : messages par champ.")
ERREUR_409 = OpenApiResponse(ErreurSerializer, description="La demande n'est pas (ou plus) à valider.")


class Pagination(PageNumberPagination):
    page_size = 50


@extend_schema(tags=["demandes en ligne"])
class DemandesEnLigneView(APIView):
    permission_classes = [EstAgentAuthentifie, VoitDonneesNominatives]

    @extend_schema(
        summary="File des demandes en ligne à valider",
        description=(
            "Demandes déposées en ligne, à valider, du territoire de votre organisme, les plus anciennes "
            "d'abord (50 par page), avec la présence d'une pièce d'identité. Réservé aux agents d'un guichet "
            "accompagnateur. Chaque demande lue est journalisée."
        ),
        responses={200: DemandeAValiderSerializer(many=True), 403: ERREUR_403},
    )
    def get(self, request):
        if not en_ligne.peut_valider(request.user):
            raise exceptions.PermissionDenied(en_ligne.MESSAGE_GUICHET_REQUIS)
        pagination = Pagination()
        page = pagination.paginate_queryset(en_ligne.file_a_valider(request.user), request, view=self)
        journaliser_liste(user=request.user, objets=page, action=Consultation.Action.API, request=request)
        return pagination.get_paginated_response(DemandeAValiderSerializer(page, many=True).data)

    @extend_schema(
        summary="Déposer une demande en ligne",
        description=(
            "Crée une demande déposée en ligne, à l'état « à valider », sans numéro unique : elle n'entre au "
            "fichier qu'après validation par un guichet accompagnateur (contrôle d'identité, seed 001 §1). "
            "Le dossier doit être complet (mêmes règles que l'enregistrement). Jeton de portée « écriture » "
            "d'un guichet accompagnateur ou du gestionnaire du fichier."
        ),
        request=DepotEnLigneSerializer,
        responses={201: DemandeDetailSerializer, 400: ERREUR_400, 403: ERREUR_403},
    )
    def post(self, request):
        if not (acces.enregistre(request.user) or acces.administre(request.user)):
            raise exceptions.PermissionDenied(MESSAGE_DEPOT_REFUSE)
        donnees = valider(DepotEnLigneSerializer(data=request.data, context={"request": request}))
        dossier = dossier_saisi(donnees, Dossier(demande=Demande(canal=choix.Canal.EN_LIGNE)))
        demande = en_ligne.deposer_en_ligne(
            dossier, auteur=en_ligne.auteur_depot_api(request.user), guichet=donnees.get("guichet")
        )
        return Response(_detail(request, demande), status=status.HTTP_201_CREATED)


class _Action(APIView):
    permission_classes = [EstAgentAuthentifie, VoitDonneesNominatives]

    def _demande(self, demande_id) -> Demande:
        if not en_ligne.peut_valider(self.request.user):
            raise exceptions.PermissionDenied(en_ligne.MESSAGE_GUICHET_REQUIS)
        return demande_visible(self.request, demande_id, action=Consultation.Action.API)


@extend_schema(tags=["demandes en ligne"])
class ValiderView(_Action):
    @extend_schema(
        summary="Valider une demande en ligne",
        description=(
            "Après contrôle de l'identité (`identite_verifiee: true`, sinon 400), enregistre la demande : numéro "
            "unique et référence au guichet accompagnateur qui valide, date de dépôt = date du dépôt en ligne. "
            "409 si la demande n'est pas à valider."
        ),
        parameters=[PARAMETRE_ID],
        request=ValidationSerializer,
        responses={200: DemandeDetailSerializer, 400: ERREUR_400, 403: ERREUR_403, 404: ERREUR_404, 409: ERREUR_409},
    )
    def post(self, request, demande_id):
        demande = self._demande(demande_id)
        donnees = valider(ValidationSerializer(data=request.data))
        guichet = None
        if donnees.get("guichet"):
            guichet = Guichet.objects.select_related("commune").filter(code=donnees["guichet"]).first()
            if guichet is None:
                raise exceptions.ValidationError({"guichet": [f"Guichet inconnu : « {donnees['guichet']} »."]})
        demande = en_ligne.valider_demande_en_ligne(
            demande, user=request.user, identite_verifiee=donnees["identite_verifiee"], guichet=guichet
        )
        return Response(_detail(request, demande))


@extend_schema(tags=["demandes en ligne"])
class RejeterView(_Action):
    @extend_schema(
        summary="Rejeter une demande en ligne",
        description=(
            "Motif obligatoire (400 sinon) ; la demande n'entre pas au fichier. 409 si elle n'est pas à valider."
        ),
        parameters=[PARAMETRE_ID],
        request=RejetSerializer,
        responses={200: DemandeDetailSerializer, 400: ERREUR_400, 403: ERREUR_403, 404: ERREUR_404, 409: ERREUR_409},
    )
    def post(self, request, demande_id):
        demande = self._demande(demande_id)
        donnees = valider(RejetSerializer(data=request.data))
        demande = en_ligne.rejeter_demande_en_ligne(demande, user=request.user, motif=donnees["motif"])
        return Response(_detail(request, demande))


urlpatterns = [
    path("demandes-en-ligne/", DemandesEnLigneView.as_view(), name="demande-en-ligne-list"),
    path("demandes-en-ligne/<int:demande_id>/valider/", ValiderView.as_view(), name="demande-en-ligne-valider"),
    path("demandes-en-ligne/<int:demande_id>/rejeter/", RejeterView.as_view(), name="demande-en-ligne-rejeter"),
]
