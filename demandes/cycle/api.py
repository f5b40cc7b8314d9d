"""API des demandes : lecture, saisie et cycle de vie, par les services de ``demandes.services``.

Lecture : le QuerySet part toujours de ``Demande.objects.visibles_par(user)``
(CCH R441-2-6, ``fdls/acces.py``) ; une demande hors du périmètre répond 404,
sans révéler qu'elle existe, et chaque lecture écrit le journal des
consultations (action « api »). Écriture : jeton de portée « écriture »
(``EstAgentAuthentifie``) et ``Demande.objects.modifiables_par(user)`` — une
demande visible mais non modifiable répond 403. Les vues ne font que traduire
la requête en ``Dossier`` et appeler le service ; les règles du dossier, le
numéro unique et l'historique sont ceux des écrans.

Ce module fournit aussi ses routes, incluses par ``fdls/socle/api/urls.py``
sous ``/api/v1/``.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, routers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from demandes import api_editions, api_en_ligne, api_labels, choix, doublons, services
from demandes.api_pieces import PieceViewSet
from demandes.filters import DemandeFilter
from demandes.models import Demande, LocalisationSouhaitee, Personne, Ressource
from demandes.numerotation import analyser_numero_unique
from demandes.serializers import (
    CHAMPS_SAISIE_DEMANDE,
    AnnulationSerializer,
    DemandeCreationSerializer,
    DemandeDetailSerializer,
    DemandeModificationPartielleSerializer,
    DemandeModificationSerializer,
    DemandeResultatSerializer,
    DemandeSerializer,
    ErreurSaisieSerializer,
    ErreurSerializer,
    EvenementSerializer,
    FiltreHistoriqueSerializer,
    ReactivationSerializer,
    erreurs_a_plat,
)
from fdls import acces
from fdls.audit.models import Consultation
from fdls.audit.services import journaliser_consultation, journaliser_liste
from fdls.socle.api.permissions import EstAgentAuthentifie, VoitDonneesNominatives
from fdls.socle.workflow import Auteur

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


class TransitionRefusee(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Cette action n'est pas possible dans l'état actuel de la demande."
    default_code = "transition_interdite"


class ConflitEcriture(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = (
        "L'écriture heurte une contrainte du dossier : une modification simultanée, ou deux personnes gardées "
        "(avec leur identifiant) qui échangent leurs rôles de demandeur et de co-demandeur — envoyez-les alors "
        "sans identifiant. Relisez la demande et réessayez."
    )
    default_code = "conflit"


@contextmanager
def regles_du_service():
    """Erreurs des services → réponses : transition refusée 409 ; les ValidationError restent des 400
    (``fdls.socle.api.erreurs``), avec les chemins de champ des services."""
    try:
        yield
    except services.TransitionInterdite as exc:
        raise TransitionRefusee(" ".join(exc.messages)) from exc
    except IntegrityError as exc:
        # Contrainte de base heurtée malgré la validation (écritures concurrentes) : jamais une 500.
        raise ConflitEcriture() from exc


def valider(serialiseur):
    """``is_valid`` avec des erreurs à plat, par chemin de champ (comme celles des services)."""
    if not serialiseur.is_valid():
        raise exceptions.ValidationError(erreurs_a_plat(serialiseur.errors))
    return serialiseur.validated_data


def dossier_saisi(donnees: dict, existant: services.Dossier) -> services.Dossier:
    """Applique la saisie validée au dossier : les champs présents remplacent, les absents restent.

    Chaque personne et chaque localisation envoyée est décrite en entier ; une
    personne garde son identifiant si elle le porte, une localisation garde sa
    date d'ancienneté si sa commune était déjà choisie.
    """
    d = existant.demande
    for champ in CHAMPS_SAISIE_DEMANDE:
        if champ in donnees:
            setattr(d, champ, donnees[champ])
    erreurs: dict[str, list[str]] = {}
    personnes = existant.personnes
    if "personnes" in donnees:
        connues = {s.personne.pk for s in existant.personnes}
        reprises: set[int] = set()
        personnes = []
        for i, saisie in enumerate(donnees["personnes"]):
            champs = dict(saisie)
            ressources = [Ressource(**r) for r in champs.pop("ressources", [])]
            pk = champs.pop("id", None)
            if pk is not None and (pk not in connues or pk in reprises):
                erreurs[f"personnes[{i}].id"] = ["Cette personne ne fait pas partie du ménage de la demande."]
            reprises.add(pk)
            personnes.append(services.PersonneSaisie(Personne(pk=pk, **champs), ressources))
    localisations = existant.localisations
    if "localisations" in donnees:
        par_commune = {loc.commune_id: loc for loc in existant.localisations}
        localisations = []
        for saisie in donnees["localisations"]:
            loc = par_commune.pop(saisie["commune"].pk, None) or LocalisationSouhaitee()
            loc.commune = saisie["commune"]
            loc.quartier = saisie.get("quartier")
            localisations.append(loc)
    if erreurs:
        raise exceptions.ValidationError(erreurs)
    return services.Dossier(demande=d, personnes=personnes, localisations=localisations)


def doublons_candidats(demande: Demande, user) -> list[dict]:
    """Doublons probables, montrés comme à l'écran : l'identité seulement pour les demandes visibles."""
    personnes = list(Personne.objects.filter(demande=demande))
    resultat = []
    for c in doublons.candidats_affichables(personnes, user, exclure_demande=demande.pk):
        autre, visible = c["demande"], not c["hors_territoire"]
        resultat.append(
            {
                "demande": autre.pk,
                "hors_territoire": c["hors_territoire"],
                "numero_unique": autre.numero_unique or "",
                "guichet_code": autre.guichet.code,
                "guichet_nom": autre.guichet.nom,
                "score": c["score"],
                "motif": c["motif"],
                "nom": autre.nom if visible else None,
                "prenom": autre.prenom if visible else None,
                "etat": autre.etat if visible else None,
            }
        )
    return resultat


LOCALISATIONS = LocalisationSouhaitee.objects.select_related("commune", "quartier").order_by("rang")


def _avec_dossier(queryset):
    return queryset.select_related("guichet").prefetch_related(
        Prefetch("personnes", queryset=Personne.objects.order_by("rang", "id").prefetch_related("ressources")),
        Prefetch("localisations", queryset=LOCALISATIONS),
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


@extend_schema(tags=["demandes"])
@extend_schema_view(
    list=extend_schema(
        summary="Demandes visibles",
        description=(
            "Demandes du territoire d'habilitation de l'organisme de l'agent et celles enregistrées à ses "
            "guichets (CCH R441-2-6), 50 par page, filtrées comme dans les écrans. Chaque demande lue est "
            "inscrite au journal des consultations."
        ),
        responses={200: DemandeSerializer(many=True), 400: ErreurSaisieSerializer, 403: ERREURS_LECTURE[403]},
    ),
    retrieve=extend_schema(
        summary="Une demande (dossier complet)",
        description=(
            "Identité, numéro unique (brut et groupé), référence, état, dates (dépôt, renouvellement, "
            "échéance), guichet, ménage avec situation professionnelle et ressources mensuelles, situation "
            "actuelle, logement recherché, communes souhaitées avec rang et date d'ancienneté. 404 si la "
            "demande n'existe pas ou n'est pas visible de l'agent. La lecture est journalisée."
        ),
        parameters=[PARAMETRE_ID],
        responses={200: DemandeDetailSerializer, **ERREURS_LECTURE},
    ),
)
class DemandeViewSet(viewsets.GenericViewSet):
    serializer_class = DemandeDetailSerializer
    filterset_class = DemandeFilter
    permission_classes = [EstAgentAuthentifie, VoitDonneesNominatives]
    queryset = Demande.objects.none()  # pour le schéma ; get_queryset applique la politique d'accès

    def get_queryset(self):
        visibles = Demande.objects.visibles_par(self.request.user)
        if self.action != "list":
            return _avec_dossier(visibles)
        return visibles.select_related("guichet").prefetch_related(Prefetch("localisations", queryset=LOCALISATIONS))

    def get_serializer_class(self):
        return DemandeSerializer if self.action == "list" else DemandeDetailSerializer

    # ------------------------------------------------------------ accès

    def _demande_visible(self) -> Demande:
        # Sans les filtres de la liste : une fiche se lit par son identifiant seul.
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def _demande_modifiable(self) -> Demande:
        # Sans cache de personnes préchargées : les services relisent le ménage qu'ils viennent d'écrire.
        demande = get_object_or_404(Demande.objects.visibles_par(self.request.user), pk=self.kwargs["pk"])
        if not Demande.objects.modifiables_par(self.request.user).filter(pk=demande.pk).exists():
            raise exceptions.PermissionDenied(MESSAGE_ECRITURE_REFUSEE)
        return demande

    def _journaliser(self, demande: Demande) -> None:
        journaliser_consultation(
            user=self.request.user, objet=demande, action=Consultation.Action.API, request=self.request
        )

    def _dossier_relu(self, demande: Demande, **contexte) -> dict:
        """Le dossier tel qu'écrit, relu en base, et journalisé comme toute lecture."""
        demande = _avec_dossier(Demande.objects).get(pk=demande.pk)
        self._journaliser(demande)
        serialiseur = DemandeResultatSerializer if contexte else DemandeDetailSerializer
        return serialiseur(demande, context={**self.get_serializer_context(), **contexte}).data

    # ------------------------------------------------------------ lecture

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        journaliser_liste(user=request.user, objets=page, action=Consultation.Action.API, request=request)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        demande = self._demande_visible()
        self._journaliser(demande)
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
        demande = get_object_or_404(self.get_queryset(), numero_unique=nu.valeur)
        self._journaliser(demande)
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
        demande = self._demande_visible()
        periode = valider(FiltreHistoriqueSerializer(data=request.query_params))
        evenements = demande.evenements.select_related("organisme").order_by("-date", "-id")
        if periode.get("du"):
            evenements = evenements.filter(date__date__gte=periode["du"])
        if periode.get("au"):
            evenements = evenements.filter(date__date__lte=periode["au"])
        page = self.paginate_queryset(evenements)
        self._journaliser(demande)
        return self.get_paginated_response(EvenementSerializer(page, many=True).data)

    # ------------------------------------------------------------ écriture

    @extend_schema(
        summary="Enregistrer une demande",
        description=(
            "Crée la demande au guichet indiqué (un guichet accompagnateur de votre organisme) : numéro unique, "
            "référence, date de dépôt, échéance de renouvellement, historique. Avec `brouillon: true`, "
            "enregistre un brouillon, sans numéro, où seule l'identité du demandeur est exigée. L'ordre de "
            "`localisations` donne le rang des choix. La réponse (201) contient le dossier et "
            "`doublons_candidats`, les demandes qui pourraient concerner le même ménage ; celles que vous avez "
            "vérifiées se passent dans `doublons_ecartes` (un brouillon permet de les voir avant "
            "d'enregistrer). Jeton de portée « écriture »." + FORMAT_ERREURS
        ),
        request=DemandeCreationSerializer,
        responses={201: DemandeResultatSerializer, **{k: v for k, v in ERREURS_ECRITURE.items() if k != 404}},
    )
    def create(self, request, *args, **kwargs):
        if not acces.enregistre(request.user):
            raise exceptions.PermissionDenied(MESSAGE_ECRITURE_REFUSEE)
        donnees = valider(DemandeCreationSerializer(data=request.data, context=self.get_serializer_context()))
        dossier = dossier_saisi(donnees, services.Dossier(demande=Demande(canal=choix.Canal.API)))
        auteur = Auteur.agent(request.user)
        with regles_du_service():
            if donnees.get("brouillon"):
                demande = services.sauver_brouillon(dossier, auteur=auteur, guichet=donnees["guichet"])
            else:
                demande = services.enregistrer_demande(
                    dossier,
                    auteur=auteur,
                    guichet=donnees["guichet"],
                    doublons_ecartes=tuple(donnees.get("doublons_ecartes", ())),
                )
        corps = self._dossier_relu(
            demande, changements=[], doublons_candidats=doublons_candidats(demande, request.user)
        )
        return Response(
            corps,
            status=status.HTTP_201_CREATED,
            headers={"Location": self.reverse_action("detail", args=[demande.pk])},
        )

    @extend_schema(
        summary="Modifier une demande",
        description=(
            "Le ménage (`personnes`) est envoyé en entier ; les autres champs absents restent inchangés, et "
            "`localisations`, s'il est présent, remplace la liste entière (chaque élément décrit en entier ; "
            "une personne garde son `id` pour rester la même). Une demande active est modifiée avec un "
            "historique champ par champ "
            "(`changements` dans la réponse) ; un brouillon est mis à jour, et `brouillon: false` l'enregistre "
            "(numéro unique). Une demande satisfaite ou annulée ne se modifie pas (409). Jeton de portée "
            "« écriture »." + FORMAT_ERREURS
        ),
        parameters=[PARAMETRE_ID],
        request=DemandeModificationSerializer,
        responses={200: DemandeResultatSerializer, **ERREURS_ECRITURE},
    )
    def update(self, request, *args, partial=False, **kwargs):
        demande = self._demande_modifiable()
        # Jamais « partial » au sens de DRF : une personne envoyée est toujours décrite en entier.
        classe = DemandeModificationPartielleSerializer if partial else DemandeModificationSerializer
        donnees = valider(classe(data=request.data, context=self.get_serializer_context()))
        brouillon = demande.etat == Demande.Etat.BROUILLON
        if not brouillon:
            erreurs = {}
            if donnees.get("brouillon"):
                erreurs["brouillon"] = ["Une demande enregistrée ne redevient pas un brouillon."]
            if "guichet" in donnees and donnees["guichet"].pk != demande.guichet_id:
                erreurs["guichet"] = [
                    "Le guichet d'enregistrement d'une demande enregistrée ne change pas : son code figure "
                    "dans le numéro unique."
                ]
            if donnees.get("doublons_ecartes"):
                erreurs["doublons_ecartes"] = [
                    "Les doublons s'écartent à l'enregistrement ; pour une demande enregistrée, ils se traitent "
                    "parmi les suspicions de doublon."
                ]
            if erreurs:
                raise exceptions.ValidationError(erreurs)
        dossier = dossier_saisi(donnees, services.charger_dossier(demande))
        auteur = Auteur.agent(request.user)
        changements = []
        with regles_du_service():
            if not brouillon:
                changements = services.modifier_demande(dossier, auteur=auteur)
            elif donnees.get("brouillon", True):
                services.sauver_brouillon(dossier, auteur=auteur, guichet=donnees.get("guichet"))
            else:
                services.enregistrer_demande(
                    dossier,
                    auteur=auteur,
                    guichet=donnees.get("guichet"),
                    doublons_ecartes=tuple(donnees.get("doublons_ecartes", ())),
                )
        return Response(
            self._dossier_relu(
                demande, changements=changements, doublons_candidats=doublons_candidats(demande, request.user)
            )
        )

    @extend_schema(
        summary="Modifier une partie d'une demande",
        description=(
            "Comme la modification (PUT), mais `personnes` devient facultatif : seuls les champs envoyés "
            "changent." + FORMAT_ERREURS
        ),
        parameters=[PARAMETRE_ID],
        request=DemandeModificationPartielleSerializer,
        responses={200: DemandeResultatSerializer, **ERREURS_ECRITURE},
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        summary="Renouveler une demande",
        description=(
            "Renouvelle une demande active pour la durée de validité réglementaire (CCH R441-2-7) ; la date de "
            "dépôt initial, qui fonde l'ancienneté, est conservée. 409 si la demande n'est pas active."
        ),
        parameters=[PARAMETRE_ID],
        request=None,
        responses={200: DemandeDetailSerializer, **ERREURS_ECRITURE},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def renouveler(self, request, pk=None):
        demande = self._demande_modifiable()
        with regles_du_service():
            services.renouveler_demande(demande, auteur=Auteur.agent(request.user))
        return Response(self._dossier_relu(demande))

    @extend_schema(
        summary="Annuler une demande",
        description=(
            "Annulation motivée par un agent (renonciation, irrecevabilité, absence de réponse, relogement hors "
            "du parc social, autre motif avec commentaire). 409 si la demande n'est pas active." + FORMAT_ERREURS
        ),
        parameters=[PARAMETRE_ID],
        request=AnnulationSerializer,
        responses={200: DemandeDetailSerializer, **ERREURS_ECRITURE},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def annuler(self, request, pk=None):
        demande = self._demande_modifiable()
        donnees = valider(AnnulationSerializer(data=request.data))
        with regles_du_service():
            services.annuler_demande(
                demande,
                motif=donnees["motif"],
                commentaire=donnees["commentaire"],
                auteur=Auteur.agent(request.user),
            )
        return Response(self._dossier_relu(demande))

    @extend_schema(
        summary="Réactiver une demande annulée",
        description=(
            "Réactive une demande annulée dans le délai réglementaire ; une demande fusionnée ou déclarée "
            "irrecevable ne se réactive pas (409), ni une demande annulée depuis trop longtemps (409 : "
            "le demandeur dépose une nouvelle demande)." + FORMAT_ERREURS
        ),
        parameters=[PARAMETRE_ID],
        request=ReactivationSerializer,
        responses={200: DemandeDetailSerializer, **ERREURS_ECRITURE},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reactiver(self, request, pk=None):
        demande = self._demande_modifiable()
        donnees = valider(ReactivationSerializer(data=request.data))
        with regles_du_service():
            services.reactiver_demande(demande, motif=donnees["motif"], auteur=Auteur.agent(request.user))
        return Response(self._dossier_relu(demande))


routeur = routers.SimpleRouter()
routeur.register("demandes", DemandeViewSet, basename="demande")
routeur.register(r"demandes/(?P<demande_pk>[0-9]+)/pieces", PieceViewSet, basename="piece")
# Éditions PDF (fiche de synthèse, attestation) : demandes/api_editions.py.
# Labels et demandes en ligne : demandes/api_labels.py, demandes/api_en_ligne.py.
urlpatterns = routeur.urls + api_editions.urlpatterns + api_labels.urlpatterns + api_en_ligne.urlpatterns
