"""API du parc : programmes, logements, disponibilités et import de fichier.

Lecture : agents dont le rôle donne accès au fichier, sur leur territoire
(``visibles_par``, docs/acces.md) ; hors territoire, un objet répond 404.
Écriture : instructeurs du bailleur propriétaire, jeton de portée
« écriture », par les mêmes services que les écrans (mêmes règles, erreurs
400 en français par champ). Les listes sont paginées par 50 avec un comptage
plafonné (``count`` vaut au plus 2 000 ; ``count_plafonne`` le signale).
Ce module fournit ses routes, incluses par ``fdls/api/urls.py``.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, routers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from fdls import acces
from fdls.acces.api import EstAgentAuthentifie
from offre import selectors, services
from offre.filters import DisponibiliteFilter, LogementFilter
from offre.importation import services as importation
from offre.models import Disponibilite, DisponibiliteEvenement, ImportLogements, Logement, Programme, gere_offre
from offre.serializers import (
    DeclarationSerializer,
    DisponibiliteSerializer,
    ImportDemandeSerializer,
    ImportSerializer,
    LogementEcritureSerializer,
    LogementModificationSerializer,
    LogementSerializer,
    ProgrammeEcritureSerializer,
    ProgrammeModificationSerializer,
    ProgrammeSerializer,
    TransitionSerializer,
)

REFUS_AUTRE_BAILLEUR = "Cet objet appartient à un autre bailleur : vous pouvez le lire, pas le modifier."


class LitLeParc(permissions.BasePermission):
    """Lecture du parc : rôles qui donnent accès au fichier ; écriture : instructeurs d'un bailleur."""

    message = "Votre rôle ne donne pas accès au détail du parc : seules les statistiques sans nom vous sont ouvertes."

    def has_permission(self, request, view):
        if not acces.voit_nominatif(request.user):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if not gere_offre(request.user):
            self.message = "L'écriture du parc est réservée aux instructeurs d'un bailleur social."
            return False
        return True


class PaginationPlafonnee(PageNumberPagination):
    django_paginator_class = selectors.PaginateurPlafonne

    def get_paginated_response(self, data):
        reponse = super().get_paginated_response(data)
        reponse.data["count_plafonne"] = self.page.paginator.depasse_plafond
        return reponse

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_plafonne"] = {
            "type": "boolean",
            "description": "Vrai si la liste dépasse 2 000 lignes (``count`` vaut alors 2 000).",
        }
        return schema


def _modifiable(user, objet) -> None:
    if type(objet)._default_manager.modifiables_par(user).filter(pk=objet.pk).exists():
        return
    raise PermissionDenied(REFUS_AUTRE_BAILLEUR)


@extend_schema(tags=["offre"])
@extend_schema_view(
    list=extend_schema(
        summary="Programmes visibles", description="Programmes du territoire de l'agent et de son bailleur."
    ),
    retrieve=extend_schema(summary="Un programme"),
)
class ProgrammeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ProgrammeSerializer
    permission_classes = [EstAgentAuthentifie, LitLeParc]
    pagination_class = PaginationPlafonnee
    queryset = Programme.objects.none()

    def get_queryset(self):
        return Programme.objects.visibles_par(self.request.user).order_by("id")

    @extend_schema(
        summary="Créer un programme",
        description="Programme du bailleur de l'agent (jeton de portée « écriture »).",
        request=ProgrammeEcritureSerializer,
        responses={201: ProgrammeSerializer},
    )
    def create(self, request, *args, **kwargs):
        entree = ProgrammeEcritureSerializer(data=request.data, context={"request": request})
        entree.is_valid(raise_exception=True)
        programme = services.creer_programme(auteur=request.user, champs=entree.validated_data)
        return Response(ProgrammeSerializer(programme).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Modifier un programme",
        description="La localisation modifiée est recopiée sur les logements ; le code ne change pas.",
        request=ProgrammeModificationSerializer,
        responses=ProgrammeSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        programme = self.get_object()
        _modifiable(request.user, programme)
        entree = ProgrammeModificationSerializer(programme, data=request.data, partial=True)
        entree.is_valid(raise_exception=True)
        programme = services.modifier_programme(auteur=request.user, programme=programme, champs=entree.validated_data)
        return Response(ProgrammeSerializer(programme).data)


@extend_schema(tags=["offre"])
@extend_schema_view(
    list=extend_schema(
        summary="Logements visibles",
        description="Parc du territoire de l'agent et de son bailleur, 50 par page, mêmes filtres que l'écran.",
    ),
    retrieve=extend_schema(summary="Un logement"),
)
class LogementViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = LogementSerializer
    filterset_class = LogementFilter
    permission_classes = [EstAgentAuthentifie, LitLeParc]
    pagination_class = PaginationPlafonnee
    queryset = Logement.objects.none()

    def get_queryset(self):
        return selectors.logements_pour_liste(self.request.user)

    @extend_schema(
        summary="Créer un logement",
        description="Dans un programme du bailleur de l'agent ; 400 par champ (loyer impossible, code en double…).",
        request=LogementEcritureSerializer,
        responses={201: LogementSerializer},
    )
    def create(self, request, *args, **kwargs):
        entree = LogementEcritureSerializer(data=request.data, context={"request": request})
        entree.is_valid(raise_exception=True)
        champs = dict(entree.validated_data)
        programme = champs.pop("programme")
        logement = services.creer_logement(auteur=request.user, programme=programme, champs=champs)
        return Response(LogementSerializer(logement).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Modifier un logement",
        description="Description, loyer, réservataire… ; le code et le programme ne changent pas.",
        request=LogementModificationSerializer,
        responses=LogementSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        logement = self.get_object()
        _modifiable(request.user, logement)
        entree = LogementModificationSerializer(logement, data=request.data, partial=True, context={"request": request})
        entree.is_valid(raise_exception=True)
        logement = services.modifier_logement(auteur=request.user, logement=logement, champs=entree.validated_data)
        return Response(LogementSerializer(logement).data)


@extend_schema(tags=["offre"])
@extend_schema_view(
    list=extend_schema(
        summary="Vacances visibles",
        description="Disponibilités des logements visibles, par date ; filtre ``etat`` (toutes par défaut).",
    ),
    retrieve=extend_schema(summary="Une vacance et son journal"),
)
class DisponibiliteViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = DisponibiliteSerializer
    filterset_class = DisponibiliteFilter
    permission_classes = [EstAgentAuthentifie, LitLeParc]
    pagination_class = PaginationPlafonnee
    queryset = Disponibilite.objects.none()

    def get_queryset(self):
        evenements = DisponibiliteEvenement.objects.order_by("date", "id")
        return (
            Disponibilite.objects.visibles_par(self.request.user)
            .prefetch_related(Prefetch("evenements", queryset=evenements))
            .order_by("date_disponibilite", "id")
        )

    @extend_schema(
        summary="Déclarer une vacance",
        description=(
            "Le logement (du bailleur de l'agent) devient « à pourvoir » ; une seule vacance ouverte par logement."
        ),
        request=DeclarationSerializer,
        responses={201: DisponibiliteSerializer},
    )
    def create(self, request, *args, **kwargs):
        entree = DeclarationSerializer(data=request.data, context={"request": request})
        entree.is_valid(raise_exception=True)
        champs = dict(entree.validated_data)
        disponibilite = services.declarer_disponibilite(auteur=request.user, **champs)
        return Response(DisponibiliteSerializer(disponibilite).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Changer l'état d'une vacance",
        description="Selon la table de transitions (docs/statuts.md) ; chaque changement est journalisé.",
        request=TransitionSerializer,
        responses=DisponibiliteSerializer,
    )
    @action(detail=True, methods=["post"])
    def etat(self, request, pk=None):
        disponibilite = self.get_object()
        _modifiable(request.user, disponibilite)
        entree = TransitionSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        disponibilite = services.changer_etat_disponibilite(
            auteur=request.user, disponibilite=disponibilite, **entree.validated_data
        )
        return Response(DisponibiliteSerializer(self.get_queryset().get(pk=disponibilite.pk)).data)


@extend_schema(tags=["offre"])
@extend_schema_view(retrieve=extend_schema(summary="Rapport d'un import"))
class ImportLogementsViewSet(mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = ImportSerializer
    permission_classes = [EstAgentAuthentifie, LitLeParc]
    parser_classes = [MultiPartParser, FormParser]
    queryset = ImportLogements.objects.none()

    def get_queryset(self):
        if not gere_offre(self.request.user):
            return ImportLogements.objects.none()
        return ImportLogements.objects.filter(bailleur=self.request.user.organisme_id)

    @extend_schema(
        summary="Importer un fichier de parc",
        description=(
            "Fichier CSV ou XLSX du bailleur de l'agent (multipart, champ ``fichier``). Sans erreur : 201 et le "
            "rapport. Avec des erreurs : 400 et le rapport ligne à ligne, rien n'est importé, sauf si "
            "``lignes_valides_seulement`` est vrai (201, lignes en erreur ignorées). Ré-importer met à jour par code."
        ),
        request={"multipart/form-data": ImportDemandeSerializer},
        responses={201: ImportSerializer, 400: OpenApiResponse(ImportSerializer, description="Fichier refusé.")},
    )
    def create(self, request, *args, **kwargs):
        entree = ImportDemandeSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        fichier = entree.validated_data["fichier"]
        import_ = importation.importer_logements(
            auteur=request.user,
            fichier=fichier,
            nom_fichier=fichier.name,
            lignes_valides_seulement=entree.validated_data["lignes_valides_seulement"],
        )
        donnees = ImportSerializer(import_).data
        if import_.etat != ImportLogements.Etat.IMPORTE:
            return Response(
                {
                    "detail": "Le fichier contient des erreurs : rien n'a été importé.",
                    "code": "fichier_invalide",
                    "import": donnees,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(donnees, status=status.HTTP_201_CREATED)


routeur = routers.SimpleRouter()
routeur.register("programmes", ProgrammeViewSet, basename="programme")
routeur.register("logements", LogementViewSet, basename="logement")
routeur.register("disponibilites", DisponibiliteViewSet, basename="disponibilite")
routeur.register("imports-logements", ImportLogementsViewSet, basename="import-logements")
urlpatterns = routeur.urls
