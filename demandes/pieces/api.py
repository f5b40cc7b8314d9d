"""API des pièces justificatives d'une demande : ``/api/v1/demandes/{demande_pk}/pieces/``.

Lecture (liste, métadonnées, fichier) : la demande doit être visible
(``Demande.objects.visibles_par(user)``) — sinon 404, sans révéler qu'elle
existe, et la tentative sur une pièce existante est journalisée (« refus ») ;
chaque lecture est inscrite au journal des consultations (« api » pour les
métadonnées, « téléchargement » pour le fichier). Écriture (dépôt multipart,
obsolescence, suppression) : jeton de portée « écriture » et demande
modifiable (``modifiables_par``), sinon 403 ; le dépôt est aussi ouvert à
l'instructeur d'un bailleur sur une demande active (``instruisibles_par``). Les règles (contrôle du contenu,
taille, stockage, historique) sont celles de ``pieces.services``, les mêmes
que dans les écrans ; une erreur de saisie répond 400 avec les messages par
champ. Les routes sont enregistrées par ``demandes/api.py``.
"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from demandes.dossier import choix
from demandes.dossier.models import Demande, Personne
from demandes.dossier.serializers import ErreurSaisieSerializer, ErreurSerializer
from demandes.dossier.vues import demande_visible
from demandes.pieces import services as pieces
from demandes.pieces.models import Piece
from demandes.pieces.views import reponse_fichier
from fdls.acces.api import EstAgentAuthentifie, VoitDonneesNominatives
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation, journaliser_refus, montrer
from fdls.socle.workflow import Auteur

MESSAGE_ECRITURE_REFUSEE = (
    "Votre rôle ne permet pas de gérer les pièces de cette demande : seuls les agents de guichet d'un "
    "organisme doté d'un guichet accompagnateur du territoire le peuvent."
)


class PieceSerializer(serializers.ModelSerializer):
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)
    organisme_nom = serializers.CharField(source="organisme.nom", read_only=True, allow_null=True)
    deposee_par_nom = serializers.SerializerMethodField(help_text="Agent qui a déposé la pièce.")
    obsolete_par_nom = serializers.SerializerMethodField(help_text="Agent qui a rendu la pièce obsolète.")
    fichier = serializers.SerializerMethodField(help_text="Adresse du téléchargement (journalisé).")

    class Meta:
        model = Piece
        fields = [
            "id",
            "demande",
            "type",
            "type_libelle",
            "personne",
            "personne_libelle",
            "nom_origine",
            "type_contenu",
            "taille",
            "empreinte",
            "deposee_le",
            "organisme",
            "organisme_nom",
            "deposee_par_nom",
            "etat",
            "obsolete_le",
            "obsolete_par_nom",
            "motif_obsolescence",
            "fichier",
        ]
        read_only_fields = fields

    def _nom(self, user) -> str | None:
        return (user.get_full_name() or user.email) if user else None

    def get_deposee_par_nom(self, piece) -> str | None:
        return self._nom(piece.deposee_par)

    def get_obsolete_par_nom(self, piece) -> str | None:
        return self._nom(piece.obsolete_par)

    def get_fichier(self, piece) -> str:
        return reverse(
            "piece-fichier",
            kwargs={"demande_pk": piece.demande_id, "pk": piece.pk},
            request=self.context.get("request"),
        )


class DepotPieceSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=choix.TypePiece.choices, help_text="Type de pièce (seed 001 §2).")
    personne = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=(
            "Identifiant de la personne du ménage concernée ; sans personne, une pièce d'identité ou un avis "
            "d'imposition est celle du demandeur."
        ),
    )
    fichier = serializers.FileField(
        help_text="PDF, JPEG ou PNG ; le contenu (octets magiques) doit correspondre à l'extension.",
        allow_empty_file=True,  # le service refuse un fichier vide avec son propre message
    )


class ObsolescenceSerializer(serializers.Serializer):
    motif = serializers.CharField(max_length=500, help_text="Pourquoi la pièce n'est plus valable.")


PARAMETRE_DEMANDE = OpenApiParameter("demande_pk", int, OpenApiParameter.PATH, description="Identifiant de la demande.")
PARAMETRE_PIECE = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Identifiant de la pièce.")
ERREURS_LECTURE = {
    403: OpenApiResponse(ErreurSerializer, description="Rôle sans accès aux données nominatives (observateur)."),
    404: OpenApiResponse(ErreurSerializer, description="Demande ou pièce inexistante, ou hors de votre périmètre."),
}
ERREURS_ECRITURE = {
    400: OpenApiResponse(ErreurSaisieSerializer, description="Saisie invalide : messages par champ."),
    403: OpenApiResponse(
        ErreurSerializer,
        description="Jeton en lecture seule, ou organisme qui ne gère pas les pièces de cette demande.",
    ),
    404: ERREURS_LECTURE[404],
}


@extend_schema(tags=["pièces"], parameters=[PARAMETRE_DEMANDE])
@extend_schema_view(
    list=extend_schema(
        summary="Pièces d'une demande",
        description="Pièces valides et obsolètes, de la plus récente à la plus ancienne. La lecture est journalisée.",
        responses={200: PieceSerializer(many=True), **ERREURS_LECTURE},
    ),
    retrieve=extend_schema(
        summary="Une pièce (métadonnées)",
        parameters=[PARAMETRE_PIECE],
        description="Type, personne, fichier d'origine, type de contenu vérifié, taille, empreinte SHA-256, dépôt, "
        "état. La lecture est journalisée.",
        responses={200: PieceSerializer, **ERREURS_LECTURE},
    ),
)
class PieceViewSet(viewsets.GenericViewSet):
    serializer_class = PieceSerializer
    permission_classes = [EstAgentAuthentifie, VoitDonneesNominatives]
    queryset = Piece.objects.none()  # pour le schéma ; get_queryset applique la politique d'accès
    pagination_class = None
    filter_backends = []
    lookup_value_regex = "[0-9]+"
    parser_classes = [parsers.MultiPartParser, parsers.FormParser, parsers.JSONParser]

    def get_queryset(self):
        return (
            Piece.objects.visibles_par(self.request.user)
            .filter(demande_id=self.kwargs["demande_pk"])
            .select_related("demande", "organisme", "deposee_par", "obsolete_par")
        )

    def perform_content_negotiation(self, request, force=False):
        # Le fichier est servi tel quel : un en-tête Accept (application/pdf…) ne doit pas donner 406.
        return super().perform_content_negotiation(request, force=force or self.action == "fichier")

    # ------------------------------------------------------------ accès

    def _demande_visible(self) -> Demande:
        return demande_visible(self.request, self.kwargs["demande_pk"], action=Consultation.Action.API)

    def _demande_modifiable(self) -> Demande:
        demande = self._demande_visible()
        if not Demande.objects.modifiables_par(self.request.user).filter(pk=demande.pk).exists():
            journaliser_refus(self.request, demande)
            raise exceptions.PermissionDenied(MESSAGE_ECRITURE_REFUSEE)
        return demande

    def _demande_instruisible(self) -> Demande:
        """Dépôt : guichet accompagnateur, ou instructeur bailleur sur une demande active (pièces de l'instruction)."""
        demande = self._demande_visible()
        if not Demande.objects.instruisibles_par(self.request.user).filter(pk=demande.pk).exists():
            journaliser_refus(self.request, demande)
            raise exceptions.PermissionDenied(MESSAGE_ECRITURE_REFUSEE)
        return demande

    def _piece(self) -> Piece:
        piece = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if piece is None:
            existante = Piece.objects.filter(pk=self.kwargs["pk"], demande_id=self.kwargs["demande_pk"]).first()
            if existante is not None:
                journaliser_refus(self.request, existante)
            raise Http404
        # La pièce montre le dossier : la demande a sa ligne au journal, comme la pièce.
        montrer(self.request, [piece.demande], action=Consultation.Action.API)
        return piece

    def _journaliser(self, objet, action=Consultation.Action.API) -> None:
        journaliser_consultation(user=self.request.user, objet=objet, action=action, request=self.request)

    def _auteur(self):
        return Auteur.agent(self.request.user)

    # ------------------------------------------------------------ lecture

    def list(self, request, *args, **kwargs):
        demande = self._demande_visible()
        self._journaliser(demande)
        return Response(self.get_serializer(self.get_queryset().order_by("-deposee_le", "-id"), many=True).data)

    def retrieve(self, request, *args, **kwargs):
        piece = self._piece()
        self._journaliser(piece)
        return Response(self.get_serializer(piece).data)

    @extend_schema(
        summary="Télécharger le fichier d'une pièce",
        parameters=[PARAMETRE_PIECE],
        description=(
            "Le fichier, en pièce jointe (`Content-Disposition: attachment`), avec son type de contenu vérifié au "
            "dépôt et `X-Content-Type-Options: nosniff`. Chaque téléchargement est inscrit au journal des "
            "consultations (action « téléchargement »)."
        ),
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="Le fichier."),
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="Le fichier."),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="Le fichier."),
            **ERREURS_LECTURE,
        },
    )
    @action(detail=True, methods=["get"])
    def fichier(self, request, demande_pk=None, pk=None):
        piece = self._piece()
        try:
            flux = pieces.ouvrir_piece(piece)
        except pieces.PieceIntrouvable as exc:
            raise exceptions.NotFound("Le fichier de cette pièce est introuvable dans le stockage.") from exc
        self._journaliser(piece, Consultation.Action.TELECHARGEMENT)
        return reponse_fichier(piece, flux)

    # ------------------------------------------------------------ écriture

    @extend_schema(
        summary="Déposer une pièce",
        description=(
            "Envoi `multipart/form-data` : `type`, `fichier`, et facultativement `personne`. Le fichier doit être "
            f"un {pieces.FORMATS_LISIBLES} dont le contenu correspond à l'extension, non vide et sous la taille "
            "maximale (réglage `FDLS_PIECE_TAILLE_MAX`, 10 Mo par défaut). La demande doit être active. Le dépôt "
            "entre dans l'historique. Jeton de portée « écriture ». Rien n'est écrit quand la réponse est une erreur."
        ),
        request={"multipart/form-data": DepotPieceSerializer},
        responses={201: PieceSerializer, **ERREURS_ECRITURE},
    )
    def create(self, request, *args, **kwargs):
        demande = self._demande_instruisible()
        serialiseur = DepotPieceSerializer(data=request.data)
        if not serialiseur.is_valid():
            raise exceptions.ValidationError(serialiseur.errors)
        donnees = serialiseur.validated_data
        personne = None
        if donnees.get("personne") is not None:
            personne = Personne.objects.filter(pk=donnees["personne"], demande=demande).first()
            if personne is None:
                raise exceptions.ValidationError(
                    {"personne": ["Cette personne ne fait pas partie du ménage de la demande."]}
                )
        piece = pieces.deposer_piece(
            demande=demande, type=donnees["type"], personne=personne, fichier=donnees["fichier"], auteur=self._auteur()
        )
        piece = self.get_queryset().get(pk=piece.pk)
        self._journaliser(piece)
        return Response(
            self.get_serializer(piece).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": self.reverse_action("detail", kwargs={"demande_pk": demande.pk, "pk": piece.pk})},
        )

    @extend_schema(
        summary="Rendre une pièce obsolète",
        parameters=[PARAMETRE_PIECE],
        description=(
            "La pièce reste au dossier, marquée obsolète (date, auteur, motif) ; une pièce attendue obsolète est "
            "redemandée. L'opération entre dans l'historique. Jeton de portée « écriture »."
        ),
        request=ObsolescenceSerializer,
        responses={200: PieceSerializer, **ERREURS_ECRITURE},
    )
    @action(detail=True, methods=["post"])
    def obsolete(self, request, demande_pk=None, pk=None):
        piece = self._piece()
        self._demande_modifiable()
        serialiseur = ObsolescenceSerializer(data=request.data)
        if not serialiseur.is_valid():
            raise exceptions.ValidationError(serialiseur.errors)
        pieces.rendre_obsolete(piece, motif=serialiseur.validated_data["motif"], auteur=self._auteur())
        piece = self.get_queryset().get(pk=piece.pk)
        self._journaliser(piece)
        return Response(self.get_serializer(piece).data)

    @extend_schema(
        summary="Supprimer une pièce",
        parameters=[PARAMETRE_PIECE],
        description=(
            "Retire la pièce et son fichier du dossier (pièce déposée par erreur, pièce obsolète) ; l'historique "
            "garde la trace de la suppression. Jeton de portée « écriture »."
        ),
        responses={204: None, **{k: v for k, v in ERREURS_ECRITURE.items() if k != 400}},
    )
    def destroy(self, request, *args, **kwargs):
        piece = self._piece()
        self._demande_modifiable()
        pieces.supprimer_piece(piece, auteur=self._auteur())
        return Response(status=status.HTTP_204_NO_CONTENT)
