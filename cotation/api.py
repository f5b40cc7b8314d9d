"""API de la cotation : cotation d'une demande ; les routes des grilles (``grilles/api.py``) réunies ici.

- ``GET /api/v1/demandes/{id}/cotation/`` : total, lignes (critère, points,
  raison en français, date de fin des points limités), grille, date du calcul,
  totaux successifs. Même règle que la lecture d'une demande :
  ``Demande.objects.visibles_par(user)`` (404 hors du périmètre, sans révéler
  qu'elle existe ; 403 pour un rôle sans accès nominatif), lecture inscrite
  au journal des consultations (action « api ») ;
- ``GET /api/v1/cotation/grilles/`` et ``/{id}/`` : ``cotation.grilles.api``.

Ce module fournit les routes de la cotation, incluses par ``fdls/api/urls.py``.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from demandes.dossier.serializers import ErreurSerializer
from demandes.dossier.vues import demande_visible
from demandes.models import Demande
from fdls.acces.api import EstAgentAuthentifie, VoitDonneesNominatives
from fdls.audit.models import Consultation

from .calcul.models import HistoriqueCotation
from .grilles import api as api_grilles
from .grilles.serializers import GrilleResumeSerializer
from .views import contexte_onglet

# ---------------------------------------------------------------- sérialiseurs


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


class CotationTerritoireSerializer(serializers.Serializer):
    territoire = serializers.CharField(help_text="SIREN de l'EPCI dont la grille a calculé ce résultat.")
    territoire_nom = serializers.CharField(help_text="Nom de l'EPCI.")
    commune = serializers.CharField(
        allow_null=True, help_text="Code INSEE de la commune de plus petit rang choisie dans ce territoire."
    )
    total = serializers.IntegerField()
    grille = GrilleResumeSerializer()
    calcule_le = serializers.DateTimeField()
    prochaine_echeance = serializers.DateField(allow_null=True)
    lignes = LigneCotationSerializer(many=True)


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
    territoires = CotationTerritoireSerializer(
        many=True,
        help_text=(
            "Un résultat par territoire (EPCI doté d'une grille en vigueur) parmi les choix de commune, le premier "
            "choix d'abord : la cotation s'applique à toutes les demandes du territoire. Les champs `total`, "
            "`grille`, `lignes`… du premier niveau sont ceux du premier de ces territoires."
        ),
    )
    historique = HistoriqueCotationSerializer(many=True, help_text="Totaux successifs, du plus récent au plus ancien.")


# ---------------------------------------------------------------- vues


@extend_schema(tags=["cotation"])
class CotationDemandeView(APIView):
    permission_classes = [EstAgentAuthentifie, VoitDonneesNominatives]

    @extend_schema(
        summary="Cotation d'une demande",
        description=(
            "Total, lignes (critère, points, raison, fin des points limités dans le temps), grille, date du calcul "
            "et totaux successifs. Une ligne à 0 point dont `exclusion` est rempli : critère rempli mais non "
            "cumulable. Une demande dont les choix couvrent plusieurs territoires dotés d'une grille a un résultat "
            "par territoire (`territoires`). Sans grille sur aucun territoire de ses choix : `grille` null, `message` "
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
        demande = demande_visible(request, demande_id, action=Consultation.Action.API)
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
            "Aucune grille de cotation ne s'applique : aucun choix de commune de la demande "
            f"(premier choix : {premier.nom}) n'est dans un territoire doté d'une grille."
            if premier
            else "Aucune grille de cotation ne s'applique : la demande n'a pas de choix de commune."
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
        "lignes": _lignes_api(c["lignes"]),
        "territoires": [
            {
                "territoire": t["resultat"].territoire,
                "territoire_nom": t["epci"].nom,
                "commune": t["commune"].code_insee if t["commune"] else None,
                "total": t["resultat"].total,
                "grille": t["grille"],
                "calcule_le": t["resultat"].calcule_le,
                "prochaine_echeance": t["resultat"].prochaine_echeance,
                "lignes": _lignes_api(t["lignes"]),
            }
            for t in c["territoires"]
            if t["grille"] is not None
        ],
        "historique": c["historique"],
    }


def _lignes_api(lignes: list[dict]) -> list[dict]:
    return [{**lg, "famille": lg["famille_code"], "famille_nom": lg["famille"]} for lg in lignes]


urlpatterns = [
    path("demandes/<int:demande_id>/cotation/", CotationDemandeView.as_view(), name="demande-cotation"),
    *api_grilles.urlpatterns,
]
