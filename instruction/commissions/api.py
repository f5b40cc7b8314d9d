"""API des commissions d'attribution, pour que le système d'un bailleur pousse ses décisions et ses baux.

- ``GET|POST /api/v1/seances/`` : séances des commissions visibles ; planifier une séance ;
- ``GET /api/v1/seances/{id}/ordre-du-jour/`` : logements et candidats ; ``POST`` : inscrire un logement ;
- ``POST /api/v1/candidatures/{id}/decision/`` : décision R441-3 (a à e, report) ;
- ``POST /api/v1/candidatures/{id}/reponse/`` : acceptation ou refus (motif) du candidat ;
- ``POST /api/v1/candidatures/{id}/condition/`` : pièce reçue, condition suspensive levée ;
- ``POST /api/v1/candidatures/{id}/bail/`` : bail signé (demande satisfaite, classés derrière écartés,
  vacance attribuée) ; ``GET /api/v1/baux/`` : baux signés des vacances du bailleur.

Mêmes règles que les écrans : agent nominatif ; lecture par les membres et réservataires invités, écriture
par le bailleur de la commission (403 sinon) avec un jeton de portée « écriture ». 400 par champ en
français, 409 pour une action impossible dans l'état actuel. Chaque demande rendue est inscrite au journal
des consultations (action « api »).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from fdls.acces.api import EstAgentAuthentifie, VoitDonneesNominatives
from fdls.audit.models import Consultation
from fdls.audit.services import montrer, refuser_si_existe
from fdls.socle.vues import objet_ou_404
from instruction.commissions import selectors, services
from instruction.commissions.models import Bail, Candidature, Commission, Seance
from instruction.commissions.serializers import (
    BailCreationSerializer,
    BailSerializer,
    CandidatureSerializer,
    ConditionSerializer,
    DecisionSerializer,
    ExamenSerializer,
    InscriptionSerializer,
    ReponseAttributionSerializer,
    SeanceCreationSerializer,
    SeanceSerializer,
)
from instruction.propositions.api import ERREURS
from offre.models import Disponibilite


class BaseCommission(APIView):
    permission_classes = [EstAgentAuthentifie, VoitDonneesNominatives]


def _seance(request, pk, *, ecriture: bool = False) -> Seance:
    try:
        seance = objet_ou_404(
            selectors.seance_detaillee(pk).filter(commission__in=selectors.commissions_visibles(request.user))
        )
    except Http404:
        # Hors des commissions de l'agent : même 404 qu'une séance inexistante, et une ligne « refus » au journal.
        refuser_si_existe(request, Seance.objects.all(), pk)
        raise
    if ecriture and not selectors.peut_gerer(request.user, seance.commission):
        raise PermissionDenied(services.REFUS_GESTION)
    return seance


def _candidature(request, pk) -> Candidature:
    candidature = objet_ou_404(Candidature.objects.select_related("examen__seance", "demande"), pk)
    _seance(request, candidature.examen.seance_id, ecriture=True)
    return candidature


def _rendre(request, candidature: Candidature, statut=status.HTTP_200_OK) -> Response:
    candidature.refresh_from_db()
    montrer(request, [candidature.demande], action=Consultation.Action.API)
    return Response(CandidatureSerializer(candidature).data, status=statut)


@extend_schema(tags=["commissions"])
class SeancesView(BaseCommission):
    @extend_schema(summary="Séances des commissions visibles", responses={200: SeanceSerializer(many=True), **ERREURS})
    def get(self, request):
        seances = selectors.seances(selectors.commissions_visibles(request.user)).select_related("commission__bailleur")
        return Response(SeanceSerializer(seances[:500], many=True).data)

    @extend_schema(
        summary="Planifier une séance", request=SeanceCreationSerializer, responses={201: SeanceSerializer, **ERREURS}
    )
    def post(self, request):
        entree = SeanceCreationSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        d = dict(entree.validated_data)
        d["commission"] = objet_ou_404(selectors.commissions_visibles(request.user), d["commission"])
        seance = services.planifier_seance(auteur=request.user, **d)
        return Response(SeanceSerializer(seance).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["commissions"])
class OrdreDuJourView(BaseCommission):
    @extend_schema(summary="Ordre du jour d'une séance", responses={200: ExamenSerializer(many=True), **ERREURS})
    def get(self, request, pk):
        seance = _seance(request, pk)
        examens = selectors.ordre_du_jour(seance)
        montrer(request, [c.demande for e in examens for c in e.candidatures.all()], action=Consultation.Action.API)
        return Response(ExamenSerializer(examens, many=True).data)

    @extend_schema(
        summary="Inscrire un logement et ses candidats positionnés",
        description="R441-3 : au moins trois demandes par logement ; en dessous, « moins_de_trois » dit l'exception.",
        request=InscriptionSerializer,
        responses={201: ExamenSerializer, **ERREURS},
    )
    def post(self, request, pk):
        seance = _seance(request, pk, ecriture=True)
        entree = InscriptionSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        d = dict(entree.validated_data)
        d["disponibilite"] = objet_ou_404(Disponibilite.objects.visibles_par(request.user), d["disponibilite"])
        examen = services.inscrire_logement(auteur=request.user, seance=seance, **d)
        montrer(request, [c.demande for c in examen.candidatures.all()], action=Consultation.Action.API)
        return Response(ExamenSerializer(examen).data, status=status.HTTP_201_CREATED)


class ActionCandidature(BaseCommission):
    """Une action sur une candidature : saisie validée par ``entree``, puis ``service`` (arguments nommés)."""

    entree = DecisionSerializer
    service = None

    def post(self, request, pk):
        candidature = _candidature(request, pk)
        entree = self.entree(data=request.data)
        entree.is_valid(raise_exception=True)
        resultat = type(self).service(auteur=request.user, candidature=candidature, **entree.validated_data)
        if isinstance(resultat, Bail):
            return Response(BailSerializer(resultat).data, status=status.HTTP_201_CREATED)
        return _rendre(request, candidature)


def action(nom: str, service, entree, resume: str, description: str = "", *, sortie=CandidatureSerializer, statut=200):
    """La vue d'une action sur une candidature, décrite pour le schéma OpenAPI."""
    vue = type(nom, (ActionCandidature,), {"entree": entree, "service": staticmethod(service)})
    schema = extend_schema(
        tags=["commissions"],
        summary=resume,
        description=description,
        request=entree,
        responses={statut: sortie, **ERREURS},
    )
    return schema(vue)


def decider(*, auteur, candidature, **saisie):
    return services.decider(auteur=auteur, candidature=candidature, saisie=services.Saisie(**saisie))


DecisionView = action(
    "DecisionView",
    decider,
    DecisionSerializer,
    "Enregistrer la décision de la commission pour un candidat",
    "a) attribution (rang 1) ; b) attribution_rang (rang) ; c) attribution_condition (rang, piece_manquante, "
    "date_limite) ; d) non_attribution (motif) ; e) irrecevabilite (motif) ; ou report.",
)
ReponseView = action(
    "ReponseView",
    services.repondre_attribution,
    ReponseAttributionSerializer,
    "Réponse du candidat au logement attribué",
    "Un refus (motif obligatoire) passe le logement au candidat classé suivant et compte pour la décote des "
    "refus d'un logement attribué (annexe 1).",
)
ConditionView = action(
    "ConditionView", services.lever_condition, ConditionSerializer, "Pièce reçue : lever la condition suspensive"
)
BailView = action(
    "BailView",
    services.signer_bail,
    BailCreationSerializer,
    "Bail signé par l'attributaire",
    "La demande est satisfaite (R441-2-8 a), chaque candidat classé derrière reçoit la non-attribution, la "
    "vacance est attribuée : une seule transaction.",
    sortie=BailSerializer,
    statut=201,
)


@extend_schema(tags=["commissions"])
class BauxView(BaseCommission):
    @extend_schema(summary="Baux signés des commissions du bailleur", responses={200: BailSerializer(many=True)})
    def get(self, request):
        bailleurs = Commission.objects.filter(pk__in=selectors.commissions_visibles(request.user)).values("bailleur")
        baux = Bail.objects.filter(bailleur__in=bailleurs).select_related("disponibilite__logement__programme")
        return Response(BailSerializer(baux.order_by("-signe_le", "-id")[:500], many=True).data)


urlpatterns = [
    path("seances/", SeancesView.as_view(), name="seances"),
    path("seances/<int:pk>/ordre-du-jour/", OrdreDuJourView.as_view(), name="seance_ordre_du_jour"),
    path("candidatures/<int:pk>/decision/", DecisionView.as_view(), name="candidature_decision"),
    path("candidatures/<int:pk>/reponse/", ReponseView.as_view(), name="candidature_reponse"),
    path("candidatures/<int:pk>/condition/", ConditionView.as_view(), name="candidature_condition"),
    path("candidatures/<int:pk>/bail/", BailView.as_view(), name="candidature_bail"),
    path("baux/", BauxView.as_view(), name="baux"),
]
