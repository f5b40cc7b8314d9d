"""Base de l'API d'une demande : accès, journal des consultations, descriptions communes des erreurs.

La ressource ``/api/v1/demandes/`` est assemblée dans ``demandes/api.py`` de
la base (``DemandeApiBase``) et des actions de chaque fonctionnalité :
la liste (``demandes/liste/api.py``), la lecture d'une demande
(``demandes/fiche/api.py``), les écritures du cycle de vie
(``demandes/cycle/api.py``).

Lecture : le QuerySet part toujours de ``Demande.objects.visibles_par(user)``
(CCH R441-2-6, ``fdls/acces.py``) ; une demande hors du périmètre répond 404,
sans révéler qu'elle existe, et chaque lecture écrit le journal des
consultations (action « api »). Écriture : jeton de portée « écriture »
(``EstAgentAuthentifie``) et ``Demande.objects.modifiables_par(user)`` — une
demande visible mais non modifiable répond 403. Les erreurs des services
(saisie 400, transition refusée 409, écriture concurrente 409) sont rendues
par ``fdls.socle.api.erreurs`` : les vues n'en attrapent aucune.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, viewsets

from demandes.dossier.models import Demande
from demandes.dossier.selectors import avec_dossier
from demandes.dossier.serializers import DemandeDetailSerializer, ErreurSaisieSerializer, ErreurSerializer
from fdls.acces.api import EstAgentAuthentifie, VoitDonneesNominatives
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation, journaliser_refus, refuser_si_existe
from fdls.socle.vues import objet_ou_404

MESSAGE_ECRITURE_REFUSEE = (
    "Votre rôle ne permet pas d'enregistrer ni de modifier une demande : seuls les agents de guichet "
    "d'un organisme doté d'un guichet accompagnateur le peuvent."
)

FORMAT_ERREURS = (
    "\n\nErreurs de saisie : 400, `erreurs` donne les messages (en français) par chemin de champ, à plat — "
    "`typologies`, `personnes[1].date_naissance`, `personnes[0].ressources[2].montant`, "
    "`localisations[1].commune`. Les contrôles de forme (types, dates, montants positifs, listes de valeurs) "
    "passent d'abord ; les règles du dossier (un seul demandeur, date de naissance, communes du département…), "
    "les mêmes que dans les écrans, ensuite. Rien n'est écrit quand la réponse est une erreur."
)

ERREURS_LECTURE = {
    403: OpenApiResponse(ErreurSerializer, description="Rôle sans accès aux données nominatives (observateur)."),
    404: OpenApiResponse(ErreurSerializer, description="Demande inexistante ou hors de votre périmètre."),
}
ERREURS_ECRITURE = {
    400: OpenApiResponse(ErreurSaisieSerializer, description="Saisie invalide : messages par chemin de champ."),
    403: OpenApiResponse(
        ErreurSerializer,
        description="Jeton en lecture seule, ou rôle qui ne permet pas d'enregistrer ni de modifier une demande.",
    ),
    404: ERREURS_LECTURE[404],
    409: OpenApiResponse(
        ErreurSerializer, description="Action impossible dans l'état de la demande (code « transition_interdite »)."
    ),
}
PARAMETRE_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Identifiant de la demande.")


class DemandeApiBase(viewsets.GenericViewSet):
    """Accès à une demande par l'API : visible (404 sinon), modifiable (403 sinon), lecture journalisée."""

    serializer_class = DemandeDetailSerializer
    permission_classes = [EstAgentAuthentifie, VoitDonneesNominatives]
    queryset = Demande.objects.none()  # pour le schéma ; get_queryset applique la politique d'accès

    def get_queryset(self):
        return avec_dossier(Demande.objects.visibles_par(self.request.user))

    def demande_visible(self) -> Demande:
        # Sans les filtres de la liste : une fiche se lit par son identifiant seul.
        return self.demande_ou_404(self.get_queryset())

    def demande_modifiable(self) -> Demande:
        # Sans cache de personnes préchargées : les services relisent le ménage qu'ils viennent d'écrire.
        demande = self.demande_ou_404(Demande.objects.visibles_par(self.request.user))
        if not Demande.objects.modifiables_par(self.request.user).filter(pk=demande.pk).exists():
            journaliser_refus(self.request, demande)
            raise exceptions.PermissionDenied(MESSAGE_ECRITURE_REFUSEE)
        return demande

    def demande_instruisible(self) -> Demande:
        """Compléter et corriger : guichet accompagnateur, ou instructeur bailleur sur une demande active."""
        demande = self.demande_ou_404(Demande.objects.visibles_par(self.request.user))
        if not Demande.objects.instruisibles_par(self.request.user).filter(pk=demande.pk).exists():
            journaliser_refus(self.request, demande)
            raise exceptions.PermissionDenied(MESSAGE_ECRITURE_REFUSEE)
        return demande

    def demande_ou_404(self, visibles) -> Demande:
        """La demande ``pk`` parmi ``visibles`` ; 404 sinon, et un refus au journal si elle existe ailleurs."""
        try:
            return objet_ou_404(visibles, self.kwargs["pk"])
        except Http404:
            refuser_si_existe(self.request, Demande.objects.all(), self.kwargs["pk"])
            raise

    def journaliser(self, demande: Demande) -> None:
        journaliser_consultation(
            user=self.request.user, objet=demande, action=Consultation.Action.API, request=self.request
        )
