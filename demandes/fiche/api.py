"""Lecture d'une demande par l'API : dossier complet, par identifiant ou par numéro unique, et historique."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from demandes.dossier.api import ERREURS_ECRITURE, ERREURS_LECTURE, PARAMETRE_ID
from demandes.dossier.models import Demande
from demandes.dossier.numerotation import analyser_numero_unique
from demandes.dossier.serializers import DemandeDetailSerializer, EvenementSerializer, valider
from demandes.fiche.serializers import FiltreHistoriqueSerializer
from fdls.audit.services import journaliser_refus
from fdls.socle.vues import objet_ou_404


class FicheDemandeApi:
    """Actions de lecture de la ressource des demandes (assemblée dans ``demandes/api.py``)."""

    @extend_schema(
        summary="Une demande (dossier complet)",
        description=(
            "Identité, numéro unique (brut et groupé), référence, état, dates (dépôt, renouvellement, "
            "échéance), guichet, ménage avec situation professionnelle et ressources mensuelles, situation "
            "actuelle, logement recherché, communes souhaitées avec rang et date d'ancienneté. 404 si la "
            "demande n'existe pas ou n'est pas visible de l'agent. La lecture est journalisée."
        ),
        parameters=[PARAMETRE_ID],
        responses={200: DemandeDetailSerializer, **ERREURS_LECTURE},
    )
    def retrieve(self, request, *args, **kwargs):
        demande = self.demande_visible()
        self.journaliser(demande)
        return Response(self.get_serializer(demande).data)

    @extend_schema(
        summary="Une demande par son numéro unique",
        description=(
            "Le numéro se donne avec ou sans espaces, points ou tirets (`044 0514 000081 10865`). "
            "400 si le numéro est mal formé (18 chiffres, mois de dépôt valide), 404 s'il n'existe pas ou "
            "si la demande n'est pas visible. La lecture est journalisée."
        ),
        parameters=[OpenApiParameter("numero", str, OpenApiParameter.PATH, description="Numéro unique (18 chiffres).")],
        responses={200: DemandeDetailSerializer, 400: ERREURS_ECRITURE[400], **ERREURS_LECTURE},
    )
    @action(detail=False, methods=["get"], url_path=r"par-numero/(?P<numero>[^/]+)", filter_backends=[])
    def par_numero(self, request, numero=None):
        try:
            nu = analyser_numero_unique(numero)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"numero_unique": exc.messages}) from exc
        try:
            demande = objet_ou_404(self.get_queryset(), numero_unique=nu.valeur)
        except Http404:
            # Un numéro qui existe hors du périmètre : même 404, et un refus au journal.
            autre = Demande.objects.filter(numero_unique=nu.valeur).only("pk").first()
            if autre is not None:
                journaliser_refus(request, autre)
            raise
        self.journaliser(demande)
        return Response(DemandeDetailSerializer(demande, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Historique d'une demande",
        description=(
            "Événements datés, du plus récent au plus ancien, avec leur auteur (organisme ou « Traitement "
            "automatisé »), leurs précisions et leur détail structuré (pour une modification : chaque champ "
            "avec son ancienne et sa nouvelle valeur). Filtre facultatif par période (`du`, `au`, inclus). "
            "La lecture est journalisée."
        ),
        parameters=[PARAMETRE_ID, FiltreHistoriqueSerializer],
        responses={200: EvenementSerializer(many=True), 400: ERREURS_ECRITURE[400], **ERREURS_LECTURE},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def historique(self, request, pk=None):
        demande = self.demande_visible()
        periode = valider(FiltreHistoriqueSerializer(data=request.query_params))
        evenements = demande.evenements.select_related("organisme").order_by("-date", "-id")
        if periode.get("du"):
            evenements = evenements.filter(date__date__gte=periode["du"])
        if periode.get("au"):
            evenements = evenements.filter(date__date__lte=periode["au"])
        page = self.paginate_queryset(evenements)
        self.journaliser(demande)
        return self.get_paginated_response(EvenementSerializer(page, many=True).data)
