"""API des candidats d'une vacance, pour les systèmes des bailleurs et des réservataires.

- ``GET /api/v1/disponibilites/{id}/candidats/`` : candidats classés, 50 par
  page (``page``), mêmes filtres que l'écran (paramètres de
  ``forms.FiltresCandidats``) ; ``raisons=<NU ou nom>`` ajoute l'explication
  des demandes ainsi désignées ;
- ``GET /api/v1/disponibilites/{id}/candidats/raisons/?demande=<NU ou nom>`` :
  l'explication seule.

Accès comme l'écran : instructeurs du bailleur du logement et réservataire
dont c'est le tour (403), vacance hors du parc visible (404) ; chaque demande
lue est inscrite au journal des consultations (action « api »).
"""

from __future__ import annotations

from django.forms import MultipleChoiceField
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from demandes.dossier.serializers import ErreurSerializer
from fdls.acces.api import EstAgentAuthentifie, VoitDonneesNominatives
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_liste
from instruction.rapprochement import selectors
from instruction.rapprochement.forms import FiltresCandidats
from instruction.rapprochement.serializers import ExplicationSerializer, PageCandidatsSerializer
from instruction.rapprochement.views import numero_de_page, vacance_pour

PAR_PAGE = 50
PARAMETRES_FILTRES = [
    OpenApiParameter(nom, str, description=str(champ.label), many=isinstance(champ, MultipleChoiceField))
    for nom, champ in FiltresCandidats.base_fields.items()
]


def _recherche(request, pk):
    disponibilite = vacance_pour(request, pk)
    filtres = FiltresCandidats(request.query_params)
    if not filtres.is_valid():
        raise serializers.ValidationError({c: [str(e) for e in erreurs] for c, erreurs in filtres.errors.items()})
    return selectors.recherche(disponibilite, filtres.cleaned_data)


def _explications(request, recherche, texte: str) -> list:
    demandes = selectors.demandes_nommees(request.user, texte)
    journaliser_liste(user=request.user, objets=demandes, action=Consultation.Action.API, request=request)
    return selectors.expliquer(recherche, request.user, demandes)


class CandidatsApi(APIView):
    permission_classes = [EstAgentAuthentifie, VoitDonneesNominatives]

    @extend_schema(
        summary="Candidats d'une vacance",
        description=(
            "Demandes actives qui correspondent au logement vacant (commune, quartier, typologie, taille du "
            "ménage, plafond de ressources du financement, accès, contingent du réservataire), classées par points "
            "de cotation du territoire puis par ancienneté ; 50 par page. ``raisons`` (numéro unique ou nom) ajoute "
            "les raisons d'exclusion des demandes désignées."
        ),
        parameters=[
            *PARAMETRES_FILTRES,
            OpenApiParameter("page", int, description="Numéro de page (à partir de 1)."),
            OpenApiParameter("raisons", str, description="Numéro unique ou nom : explication des exclusions."),
        ],
        responses={200: PageCandidatsSerializer, 400: ErreurSerializer, 403: ErreurSerializer, 404: ErreurSerializer},
    )
    def get(self, request, pk):
        recherche = _recherche(request, pk)
        numero = numero_de_page(request.query_params.get("page"))
        page = selectors.page_candidats(recherche, request.user, numero, par_page=PAR_PAGE)
        journaliser_liste(
            user=request.user,
            objets=[c.demande for c in page.candidats],
            action=Consultation.Action.API,
            request=request,
        )
        donnees = {
            "count": page.compte,
            "count_plafonne": page.depasse_plafond,
            "page": page.numero,
            "next": request.build_absolute_uri(f"?page={numero + 1}") if page.suivante else None,
            "previous": request.build_absolute_uri(f"?page={numero - 1}") if page.precedente else None,
            "avertissements": recherche.avertissements,
            "results": page.candidats,
        }
        texte = (request.query_params.get("raisons") or "").strip()
        if texte:
            donnees["explications"] = _explications(request, recherche, texte)
        return Response(PageCandidatsSerializer(donnees).data)


class RaisonsApi(APIView):
    permission_classes = [EstAgentAuthentifie, VoitDonneesNominatives]

    @extend_schema(
        summary="Pourquoi une demande n'est-elle pas candidate ?",
        parameters=[
            OpenApiParameter("demande", str, required=True, description="Numéro unique ou nom du demandeur."),
            *PARAMETRES_FILTRES,
        ],
        responses={200: ExplicationSerializer(many=True), 400: ErreurSerializer, 403: ErreurSerializer},
    )
    def get(self, request, pk):
        recherche = _recherche(request, pk)
        texte = (request.query_params.get("demande") or "").strip()
        if not texte:
            raise serializers.ValidationError({"demande": ["Indiquez un numéro unique ou un nom."]})
        return Response(ExplicationSerializer(_explications(request, recherche, texte), many=True).data)


urlpatterns = [
    path("disponibilites/<int:pk>/candidats/", CandidatsApi.as_view(), name="disponibilite-candidats"),
    path("disponibilites/<int:pk>/candidats/raisons/", RaisonsApi.as_view(), name="disponibilite-candidats-raisons"),
]
