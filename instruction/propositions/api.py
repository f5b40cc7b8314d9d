"""API de l'instruction d'une vacance, pour les systèmes des bailleurs et des réservataires.

- ``GET|POST /api/v1/disponibilites/{id}/positionnements/`` : candidats de la vacance (avec leurs
  propositions) ; positionner une demande (numéro unique ou identifiant) ;
- ``POST /api/v1/positionnements/{id}/retrait/`` : retirer un candidat (motif) ;
- ``GET|POST /api/v1/positionnements/{id}/contacts/`` : contacts avec le candidat ;
- ``POST /api/v1/positionnements/{id}/propositions/`` : proposer le logement ;
- ``POST /api/v1/propositions/{id}/reponse/`` : acceptation ou refus (motif obligatoire).

Mêmes règles que les écrans : agent nominatif, vacance de son territoire
(404 sinon), qu'il instruit (403 sinon : bailleur du logement ou réservataire),
écriture avec un jeton de portée « écriture ». Les services valident (400 par
champ, en français) ; une action impossible dans l'état actuel répond 409
(``fdls.socle.api.erreurs``). Chaque demande rendue est inscrite au journal
des consultations (action « api »).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from demandes.dossier.serializers import ErreurSerializer
from fdls.acces.api import EstAgentAuthentifie, VoitDonneesNominatives
from fdls.audit.models import Consultation
from fdls.audit.services import montrer, refuser_si_existe
from fdls.socle.vues import objet_ou_404
from instruction.propositions import selectors, services
from instruction.propositions.models import Contact, Positionnement, Proposition
from instruction.propositions.serializers import (
    ContactCreationSerializer,
    ContactSerializer,
    PositionnementCreationSerializer,
    PositionnementSerializer,
    PropositionCreationSerializer,
    PropositionSerializer,
    ReponseSerializer,
    RetraitPositionnementSerializer,
)
from offre.models import Disponibilite

ERREURS = {
    400: OpenApiResponse(ErreurSerializer, description="Saisie invalide : messages en français par champ."),
    403: OpenApiResponse(ErreurSerializer, description="L'agent n'instruit pas cette vacance."),
    404: OpenApiResponse(ErreurSerializer, description="Hors du territoire de l'agent, ou inexistant."),
    409: OpenApiResponse(ErreurSerializer, description="Action impossible dans l'état actuel."),
}


def _disponibilite(request, pk) -> Disponibilite:
    visibles = Disponibilite.objects.visibles_par(request.user).values("pk")
    try:
        disponibilite = objet_ou_404(selectors.disponibilite_detaillee(pk).filter(pk__in=visibles))
    except Http404:
        refuser_si_existe(request, Disponibilite.objects.all(), pk)
        raise
    if not selectors.peut_instruire(request.user, disponibilite):
        raise PermissionDenied(services.REFUS_INSTRUCTION)
    return disponibilite


def _positionnement(request, pk) -> Positionnement:
    positionnement = objet_ou_404(Positionnement.objects.select_related("demande"), pk)
    positionnement.disponibilite = _disponibilite(request, positionnement.disponibilite_id)
    return positionnement


class BaseInstruction(APIView):
    permission_classes = [EstAgentAuthentifie, VoitDonneesNominatives]


@extend_schema(tags=["instruction"])
class PositionnementsView(BaseInstruction):
    @extend_schema(
        summary="Candidats positionnés sur une vacance",
        responses={200: PositionnementSerializer(many=True), **ERREURS},
    )
    def get(self, request, pk):
        disponibilite = _disponibilite(request, pk)
        candidats = selectors.candidats(disponibilite)
        montrer(request, [c.demande for c in candidats], action=Consultation.Action.API)
        return Response(PositionnementSerializer(candidats, many=True).data)

    @extend_schema(
        summary="Positionner une demande sur la vacance",
        request=PositionnementCreationSerializer,
        responses={201: PositionnementSerializer, **ERREURS},
    )
    def post(self, request, pk):
        disponibilite = _disponibilite(request, pk)
        entree = PositionnementCreationSerializer(data=request.data, context={"request": request})
        entree.is_valid(raise_exception=True)
        demande = entree.validated_data["demande"]
        positionnement = services.positionner_candidat(
            auteur=request.user,
            disponibilite=disponibilite,
            demande=demande,
            designation=entree.validated_data.get("designation"),
            reservataire=entree.validated_data.get("reservataire"),
        )
        montrer(request, [positionnement.demande], action=Consultation.Action.API)
        return Response(PositionnementSerializer(positionnement).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["instruction"])
class RetraitView(BaseInstruction):
    @extend_schema(
        summary="Retirer un candidat de la vacance",
        request=RetraitPositionnementSerializer,
        responses={200: PositionnementSerializer, **ERREURS},
    )
    def post(self, request, pk):
        positionnement = _positionnement(request, pk)
        entree = RetraitPositionnementSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        positionnement = services.retirer_positionnement(
            auteur=request.user, positionnement=positionnement, motif=entree.validated_data["motif"]
        )
        return Response(PositionnementSerializer(positionnement).data)


@extend_schema(tags=["instruction"])
class ContactsView(BaseInstruction):
    @extend_schema(summary="Contacts avec un candidat", responses={200: ContactSerializer(many=True), **ERREURS})
    def get(self, request, pk):
        positionnement = _positionnement(request, pk)
        montrer(request, [positionnement.demande], action=Consultation.Action.API)
        contacts = Contact.objects.filter(positionnement=positionnement).order_by("-date", "-id")
        return Response(ContactSerializer(contacts, many=True).data)

    @extend_schema(
        summary="Noter un contact avec un candidat",
        description="Un résultat « refus_positionnement » écrit l'événement « Refus d'être positionné en CAL après "
        "un contact » (décote de la cotation) et clôt le positionnement.",
        request=ContactCreationSerializer,
        responses={201: ContactSerializer, **ERREURS},
    )
    def post(self, request, pk):
        positionnement = _positionnement(request, pk)
        entree = ContactCreationSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        donnees = entree.validated_data
        contact = services.contacter(
            auteur=request.user,
            positionnement=positionnement,
            **services.saisie_contact(donnees),
        )
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["instruction"])
class PropositionsView(BaseInstruction):
    @extend_schema(
        summary="Proposer le logement à un candidat",
        request=PropositionCreationSerializer,
        responses={201: PropositionSerializer, **ERREURS},
    )
    def post(self, request, pk):
        positionnement = _positionnement(request, pk)
        entree = PropositionCreationSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        proposition = services.proposer_logement(
            auteur=request.user,
            positionnement=positionnement,
            date_envoi=entree.validated_data.get("date_envoi"),
            date_limite=entree.validated_data.get("date_limite"),
            commentaire=entree.validated_data["commentaire"],
        )
        return Response(PropositionSerializer(proposition).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["instruction"])
class ReponseView(BaseInstruction):
    @extend_schema(
        summary="Réponse du candidat à une proposition",
        request=ReponseSerializer,
        responses={200: PropositionSerializer, **ERREURS},
    )
    def post(self, request, pk):
        proposition = objet_ou_404(Proposition.objects.all(), pk)
        _positionnement(request, proposition.positionnement_id)
        entree = ReponseSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        donnees = entree.validated_data
        if donnees["reponse"] == "accepter":
            proposition = services.accepter_proposition(
                auteur=request.user, proposition=proposition, date_reponse=donnees["date_reponse"]
            )
        else:
            proposition = services.refuser_proposition(
                auteur=request.user,
                proposition=proposition,
                motif=donnees["motif"],
                commentaire=donnees["commentaire"],
                date_reponse=donnees["date_reponse"],
            )
        return Response(PropositionSerializer(proposition).data)


urlpatterns = [
    path(
        "disponibilites/<int:pk>/positionnements/", PositionnementsView.as_view(), name="disponibilite-positionnements"
    ),
    path("positionnements/<int:pk>/retrait/", RetraitView.as_view(), name="positionnement-retrait"),
    path("positionnements/<int:pk>/contacts/", ContactsView.as_view(), name="positionnement-contacts"),
    path("positionnements/<int:pk>/propositions/", PropositionsView.as_view(), name="positionnement-propositions"),
    path("propositions/<int:pk>/reponse/", ReponseView.as_view(), name="proposition-reponse"),
]
