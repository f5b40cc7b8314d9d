"""API des éditions PDF d'une demande : fiche de synthèse et attestation d'enregistrement.

``GET /api/v1/demandes/{id}/synthese.pdf`` et ``…/attestation.pdf`` : mêmes
règles que les écrans (``demandes/editions/views.py``) — la demande est cherchée
parmi ``Demande.objects.visibles_par(user)`` (404 sinon), un rôle sans accès
nominatif reçoit 403, l'attestation d'un brouillon 409, et chaque
téléchargement est inscrit au journal des consultations (action « Édition
PDF »). Les erreurs restent en JSON, même quand le client n'accepte que du PDF.

Routes ajoutées à celles de ``demandes/api.py`` (incluses sous ``/api/v1/``).
"""

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer

from demandes.dossier.models import Demande
from demandes.dossier.serializers import ErreurSerializer
from demandes.dossier.vues import demande_visible
from demandes.editions import pdf as editions
from fdls.acces.api import EstAgentAuthentifie, VoitDonneesNominatives
from fdls.audit.models import Consultation
from fdls.audit.services import oublier


class RenduPdf(BaseRenderer):
    """Corps PDF ; les corps d'erreur (dictionnaires) partent en JSON, avec leur type."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        reponse = (renderer_context or {}).get("response")
        if reponse is not None:
            reponse["Content-Type"] = "application/json"
        return JSONRenderer().render(data)


class NegociationPdf(BaseContentNegotiation):
    """Le document est toujours un PDF, quel que soit l'en-tête ``Accept`` ; les erreurs partent en JSON."""

    def select_parser(self, request, parsers):
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class EditionRefusee(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Cette édition n'existe pas dans l'état actuel de la demande."
    default_code = "edition_impossible"


PARAMETRE_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Identifiant de la demande.")
PDF = OpenApiResponse(OpenApiTypes.BINARY, description="Document PDF (A4), en pièce jointe.")
ERREURS = {
    (403, "application/json"): OpenApiResponse(
        ErreurSerializer, description="Non authentifié, ou rôle sans accès aux données nominatives (observateur)."
    ),
    (404, "application/json"): OpenApiResponse(
        ErreurSerializer, description="Demande inexistante ou hors de votre périmètre."
    ),
}


class EditionPdfView(GenericAPIView):
    permission_classes = [EstAgentAuthentifie, VoitDonneesNominatives]
    renderer_classes = [RenduPdf]
    content_negotiation_class = NegociationPdf
    queryset = Demande.objects.none()  # pour le schéma ; get() applique la politique d'accès
    edition = ""

    def get(self, request, id):
        demande = demande_visible(request, id, *editions.SELECT_EDITION, action=Consultation.Action.PDF)
        try:
            contenu = editions.EDITIONS[self.edition](demande, user=request.user)
        except editions.EditionImpossible as refus:
            oublier(request, demande)  # aucune édition ne part : rien à journaliser
            raise EditionRefusee(str(refus)) from refus
        reponse = HttpResponse(contenu, content_type="application/pdf")
        reponse["Content-Disposition"] = f'attachment; filename="{editions.nom_fichier(demande, self.edition)}"'
        return reponse


class SynthesePdfView(EditionPdfView):
    edition = "synthese"

    @extend_schema(
        tags=["demandes"],
        operation_id="demandes_synthese_pdf",
        summary="Fiche de synthèse de la demande (PDF)",
        description=(
            "La fiche « Synthèse de la demande » telle que l'écran la montre : identification, demandeur et "
            "co-demandeur, ménage, situation professionnelle, ressources et valeurs dérivées (catégorie, UC, RFR "
            "et pourcentage du plafond PLUS, quotient familial, RUC, ancienneté, refus), situation actuelle, "
            "logement recherché, communes souhaitées, compléments, instruction, extrait de l'historique. "
            "Disponible aussi pour un brouillon. Le téléchargement est inscrit au journal des consultations."
        ),
        parameters=[PARAMETRE_ID],
        responses={(200, "application/pdf"): PDF, **ERREURS},
    )
    def get(self, request, id):
        return super().get(request, id)


class AttestationPdfView(EditionPdfView):
    edition = "attestation"

    @extend_schema(
        tags=["demandes"],
        operation_id="demandes_attestation_pdf",
        summary="Attestation d'enregistrement de la demande (PDF)",
        description=(
            "Attestation remise au demandeur : numéro unique, date de dépôt, guichet d'enregistrement, validité et "
            "date de renouvellement, démarches à faire, demandeur et co-demandeur, communes souhaitées. 409 pour "
            "un brouillon (pas encore de numéro unique) ou une demande annulée. "
            "Le téléchargement est inscrit au journal des consultations."
        ),
        parameters=[PARAMETRE_ID],
        responses={
            (200, "application/pdf"): PDF,
            **ERREURS,
            (409, "application/json"): OpenApiResponse(
                ErreurSerializer,
                description="Pas de numéro unique (brouillon, demande en ligne non validée) ou demande annulée : "
                "pas d'attestation.",
            ),
        },
    )
    def get(self, request, id):
        return super().get(request, id)


urlpatterns = [
    path("demandes/<int:id>/synthese.pdf", SynthesePdfView.as_view(), name="demande-synthese-pdf"),
    path("demandes/<int:id>/attestation.pdf", AttestationPdfView.as_view(), name="demande-attestation-pdf"),
]
