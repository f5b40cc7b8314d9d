"""API de la cotation : cotation d'une demande, grilles de cotation (lecture seule).

- ``GET /api/v1/demandes/{id}/cotation/`` : total, lignes (critère, points,
  raison en français, date de fin des points limités), grille, date du calcul,
  totaux successifs. Même règle que la lecture d'une demande :
  ``Demande.objects.visibles_par(user)`` (404 hors du périmètre, sans révéler
  qu'elle existe ; 403 pour un rôle sans accès nominatif), lecture inscrite
  au journal des consultations (action « api ») ;
- ``GET /api/v1/cotation/grilles/`` et ``/{id}/`` : grilles adoptées
  (programmées, en vigueur, archivées — information publique) pour tout
  agent ; les brouillons pour ceux qui gèrent les grilles du territoire
  (``cotation.acces``). Filtres ``epci`` (SIREN) et ``etat``. Le détail donne
  les familles et leurs critères.

Ce module fournit ses routes, incluses par ``fdls/socle/api/urls.py``.
"""

from __future__ import annotations

import django_filters
from django.urls import path
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import routers, serializers, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from demandes.dossier.serializers import ErreurSerializer
from demandes.models import Demande
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation
from fdls.socle.api.permissions import EstAgentAuthentifie, VoitDonneesNominatives

from . import acces as acces_cotation
from .models import Critere, Famille, Grille, HistoriqueCotation
from .views import contexte_onglet

# ---------------------------------------------------------------- sérialiseurs


class GrilleResumeSerializer(serializers.ModelSerializer):
    epci_nom = serializers.CharField(source="epci.nom", read_only=True)

    class Meta:
        model = Grille
        fields = ["id", "epci", "epci_nom", "version", "libelle", "etat", "date_effet", "date_fin"]
        read_only_fields = fields


class LigneCotationSerializer(serializers.Serializer):
    critere = serializers.CharField(help_text="Code du critère dans la grille (« plancher » : ligne du plancher).")
    libelle = serializers.CharField(help_text="Libellé du critère, tel que le lit le demandeur.")
    famille = serializers.CharField(help_text="Code de la famille du critère (vide pour le plancher).")
    famille_libelle = serializers.CharField(source="famille_nom")
    points = serializers.IntegerField(help_text="Points de la ligne (négatifs pour une décote, 0 si non cumulable).")
    raison = serializers.CharField(help_text="Pourquoi le critère est rempli, en français.")
    exclusion = serializers.CharField(help_text="Pourquoi un critère rempli ne compte pas (vide sinon).")
    jusqu_au = serializers.DateField(
        allow_null=True, help_text="Dernier jour des points limités dans le temps (null : sans limite)."
    )


class HistoriqueCotationSerializer(serializers.ModelSerializer):
    grille_version = serializers.IntegerField(source="grille.version", read_only=True, default=None, allow_null=True)

    class Meta:
        model = HistoriqueCotation
        fields = ["date", "total", "grille", "grille_version", "motif"]
        read_only_fields = fields


class CotationDemandeSerializer(serializers.Serializer):
    demande = serializers.IntegerField(help_text="Identifiant de la demande.")
    calculee = serializers.BooleanField(help_text="La cotation a-t-elle été calculée ?")
    total = serializers.IntegerField(allow_null=True, help_text="Total (null : pas de grille, pas calculée).")
    grille = GrilleResumeSerializer(allow_null=True, help_text="Grille qui a coté la demande.")
    calcule_le = serializers.DateTimeField(allow_null=True)
    prochaine_echeance = serializers.DateField(
        allow_null=True, help_text="Prochain jour où le total changera sans autre événement (ancienneté, décote)."
    )
    premier_choix = serializers.CharField(
        allow_null=True, help_text="Code INSEE de la commune du premier choix, qui désigne la grille."
    )
    message = serializers.CharField(help_text="Explication en français quand aucune grille ne s'applique.")
    lignes = LigneCotationSerializer(many=True)
    historique = HistoriqueCotationSerializer(many=True, help_text="Totaux successifs, du plus récent au plus ancien.")


class PalierSerializer(serializers.Serializer):
    min = serializers.IntegerField(help_text="Borne basse, incluse.")
    max = serializers.IntegerField(allow_null=True, default=None, help_text="Borne haute, exclue (null : sans borne).")
    points = serializers.IntegerField()
    duree_mois = serializers.IntegerField(allow_null=True, default=None, help_text="Durée des points, en mois.")
    libelle = serializers.CharField(default="", help_text="Libellé du livret.")


class CritereSerializer(serializers.ModelSerializer):
    famille = serializers.CharField(source="famille.code", read_only=True)
    parametres = serializers.DictField(read_only=True, help_text="Paramètres de la règle nommée.")
    paliers = PalierSerializer(many=True, read_only=True)

    class Meta:
        model = Critere
        fields = [
            "id",
            "code",
            "famille",
            "libelle",
            "regle",
            "parametres",
            "points",
            "paliers",
            "duree_mois",
            "exclu_si",
            "exclu_si_familles",
            "mention_exclusion",
            "ordre",
        ]
        read_only_fields = fields


class FamilleSerializer(serializers.ModelSerializer):
    criteres = serializers.SerializerMethodField()

    class Meta:
        model = Famille
        fields = ["id", "code", "libelle", "ordre", "cumul", "exclue_si_familles", "criteres"]
        read_only_fields = fields

    @extend_schema_field(CritereSerializer(many=True))
    def get_criteres(self, obj) -> list[dict]:
        criteres = self.context.get("criteres", {}).get(obj.pk, [])
        return CritereSerializer(criteres, many=True).data


class GrilleSerializer(serializers.ModelSerializer):
    epci_nom = serializers.CharField(source="epci.nom", read_only=True)

    class Meta:
        model = Grille
        fields = [
            "id",
            "epci",
            "epci_nom",
            "version",
            "libelle",
            "etat",
            "date_effet",
            "date_fin",
            "deliberation",
            "total_plancher",
            "creee_depuis",
        ]
        read_only_fields = fields


class GrilleDetailSerializer(GrilleSerializer):
    familles = serializers.SerializerMethodField()

    class Meta(GrilleSerializer.Meta):
        fields = [*GrilleSerializer.Meta.fields, "introduction", "familles"]
        read_only_fields = fields

    @extend_schema_field(FamilleSerializer(many=True))
    def get_familles(self, obj) -> list[dict]:
        criteres: dict[int, list] = {}
        for c in obj.criteres.select_related("famille").order_by("ordre", "id"):
            criteres.setdefault(c.famille_id, []).append(c)
        return FamilleSerializer(obj.familles.all(), many=True, context={"criteres": criteres}).data


# ---------------------------------------------------------------- vues


class GrilleFilter(django_filters.FilterSet):
    epci = django_filters.CharFilter(field_name="epci_id", help_text="SIREN de l'EPCI (ex. 244400404).")
    etat = django_filters.ChoiceFilter(choices=Grille.Etat.choices, help_text="État de la grille.")

    class Meta:
        model = Grille
        fields = ["epci", "etat"]


@extend_schema_view(
    list=extend_schema(
        summary="Grilles de cotation",
        description=(
            "Grilles adoptées (programmées, en vigueur, archivées) de tous les territoires, et les brouillons des "
            "territoires dont vous gérez les grilles ; 50 par page, filtres `epci` (SIREN) et `etat`."
        ),
    ),
    retrieve=extend_schema(
        summary="Une grille de cotation",
        description="La grille, ses familles (ordre, cumul, exclusions) et leurs critères (règle, paramètres, "
        "points ou paliers, durée, exclusions « sauf si », mention du livret).",
        responses={200: GrilleDetailSerializer, 404: OpenApiResponse(ErreurSerializer, description="Introuvable.")},
    ),
)
@extend_schema(tags=["cotation"])
class GrilleViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GrilleSerializer
    permission_classes = [EstAgentAuthentifie]
    filterset_class = GrilleFilter
    queryset = Grille.objects.none()

    def get_queryset(self):
        return acces_cotation.grilles_lisibles(self.request.user).select_related("epci").order_by("epci_id", "-version")

    def get_serializer_class(self):
        return GrilleDetailSerializer if self.action == "retrieve" else GrilleSerializer


@extend_schema(tags=["cotation"])
class CotationDemandeView(APIView):
    permission_classes = [EstAgentAuthentifie, VoitDonneesNominatives]

    @extend_schema(
        summary="Cotation d'une demande",
        description=(
            "Total, lignes (critère, points, raison, fin des points limités dans le temps), grille, date du calcul "
            "et totaux successifs. Une ligne à 0 point dont `exclusion` est rempli : critère rempli mais non "
            "cumulable. Sans grille sur le territoire du premier choix de commune : `grille` null, `message` "
            "l'explique. Même périmètre que la lecture de la demande ; la lecture est journalisée."
        ),
        parameters=[OpenApiParameter("demande_id", int, OpenApiParameter.PATH, description="Identifiant.")],
        responses={
            200: CotationDemandeSerializer,
            403: OpenApiResponse(ErreurSerializer, description="Rôle sans accès aux données nominatives."),
            404: OpenApiResponse(ErreurSerializer, description="Demande inexistante ou hors de votre périmètre."),
        },
    )
    def get(self, request, demande_id):
        demande = get_object_or_404(Demande.objects.visibles_par(request.user), pk=demande_id)
        journaliser_consultation(user=request.user, objet=demande, action=Consultation.Action.API, request=request)
        return Response(CotationDemandeSerializer(cotation_de(demande)).data)


def cotation_de(demande: Demande) -> dict:
    """Données de ``CotationDemandeSerializer`` (mêmes lignes que l'onglet de la fiche)."""
    c = contexte_onglet(demande)
    resultat, grille, premier = c["resultat"], c["grille"], c["premier_choix"]
    message = ""
    if resultat is None:
        message = "La cotation de cette demande n'a pas encore été calculée."
    elif grille is None:
        message = (
            f"Aucune grille de cotation ne s'applique : le premier choix de commune ({premier.nom}) n'est dans aucun "
            "territoire doté d'une grille."
            if premier
            else "Aucune grille de cotation ne s'applique : la demande n'a pas de premier choix de commune."
        )
    return {
        "demande": demande.pk,
        "calculee": resultat is not None,
        "total": resultat.total if resultat is not None and grille is not None else None,
        "grille": grille,
        "calcule_le": resultat.calcule_le if resultat else None,
        "prochaine_echeance": resultat.prochaine_echeance if resultat else None,
        "premier_choix": premier.code_insee if premier else None,
        "message": message,
        "lignes": [{**lg, "famille": lg["famille_code"], "famille_nom": lg["famille"]} for lg in c["lignes"]],
        "historique": c["historique"],
    }


routeur = routers.SimpleRouter()
routeur.register("cotation/grilles", GrilleViewSet, basename="grille-cotation")

urlpatterns = [
    path("demandes/<int:demande_id>/cotation/", CotationDemandeView.as_view(), name="demande-cotation"),
    *routeur.urls,
]
