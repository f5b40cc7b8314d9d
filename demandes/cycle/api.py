"""API du cycle de vie d'une demande : enregistrer, modifier, renouveler, annuler, réactiver.

Les vues traduisent la requête en ``Dossier`` (``dossier.serializers.dossier_saisi``)
et appellent les services de ``demandes/cycle/services.py`` ; les règles du
dossier, le numéro unique et l'historique sont ceux des écrans. Une saisie
refusée par un service répond 400, une transition refusée ou une écriture
concurrente 409 (``fdls.socle.api.erreurs``) : aucun ``try`` ici.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from demandes.cycle import services
from demandes.cycle.serializers import (
    AnnulationSerializer,
    DemandeCreationSerializer,
    DemandeModificationPartielleSerializer,
    DemandeModificationSerializer,
    DemandeResultatSerializer,
    ReactivationSerializer,
)
from demandes.dossier import choix
from demandes.dossier.api import ERREURS_ECRITURE, FORMAT_ERREURS, MESSAGE_ECRITURE_REFUSEE, PARAMETRE_ID
from demandes.dossier.models import Demande, Personne
from demandes.dossier.saisie import Dossier, charger_dossier
from demandes.dossier.selectors import avec_dossier
from demandes.dossier.serializers import DemandeDetailSerializer, dossier_saisi, valider
from demandes.doublons import services as doublons
from demandes.pieces import services as pieces
from fdls import acces
from fdls.audit.models import Consultation
from fdls.audit.services import montrer
from fdls.socle.workflow import Auteur


def doublons_candidats(demande: Demande, request) -> list[dict]:
    """Doublons probables, montrés comme à l'écran : l'identité seulement pour les demandes visibles.

    Hors territoire, ni identité ni identifiant interne (``demande`` vaut null) :
    le numéro unique et le guichet suffisent à joindre ce guichet. Chaque
    candidat montré a sa ligne au journal des consultations.
    """
    personnes = list(Personne.objects.filter(demande=demande))
    candidats = doublons.candidats_affichables(personnes, request.user, exclure_demande=demande.pk)
    montrer(request, [c["demande"] for c in candidats], action=Consultation.Action.API)
    resultat = []
    for c in candidats:
        autre, visible = c["demande"], not c["hors_territoire"]
        resultat.append(
            {
                "demande": autre.pk if visible else None,
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


class CycleDemandeApi:
    """Écritures de la ressource des demandes (assemblée dans ``demandes/api.py``)."""

    def dossier_relu(self, demande: Demande, **contexte) -> dict:
        """Le dossier tel qu'écrit, relu en base, et journalisé comme toute lecture."""
        demande = avec_dossier(Demande.objects).get(pk=demande.pk)
        self.journaliser(demande)
        serialiseur = DemandeResultatSerializer if contexte else DemandeDetailSerializer
        return serialiseur(demande, context={**self.get_serializer_context(), **contexte}).data

    @extend_schema(
        summary="Enregistrer une demande",
        description=(
            "Crée la demande au guichet indiqué (un guichet accompagnateur de votre organisme) : numéro unique, "
            "référence, date de dépôt, échéance de renouvellement, historique. Avec `brouillon: true`, "
            "enregistre un brouillon, sans numéro, où seule l'identité du demandeur est exigée. L'ordre de "
            "`localisations` donne le rang des choix. La réponse (201) contient le dossier et "
            "`doublons_candidats`, les demandes qui pourraient concerner le même ménage ; celles que vous avez "
            "vérifiées se passent dans `doublons_ecartes` (un brouillon permet de les voir avant "
            "d'enregistrer). La pièce d'identité du demandeur est obligatoire pour l'enregistrement (seed 001 "
            "§2) : `piece_identite` (nom et contenu en base64), ou jointe d'abord au brouillon "
            "(`POST /demandes/{id}/pieces/`, type `identite`) avant `brouillon: false` ; sans elle, 400 sur "
            "`piece_identite` et rien n'est écrit. Jeton de portée « écriture »." + FORMAT_ERREURS
        ),
        request=DemandeCreationSerializer,
        responses={201: DemandeResultatSerializer, **{k: v for k, v in ERREURS_ECRITURE.items() if k != 404}},
    )
    def create(self, request, *args, **kwargs):
        if not acces.enregistre(request.user):
            raise exceptions.PermissionDenied(MESSAGE_ECRITURE_REFUSEE)
        donnees = valider(DemandeCreationSerializer(data=request.data, context=self.get_serializer_context()))
        piece_identite = donnees.pop("piece_identite", None)
        dossier = dossier_saisi(donnees, Dossier(demande=Demande(canal=choix.Canal.API)))
        auteur = Auteur.agent(request.user)
        if donnees.get("brouillon"):
            demande = services.sauver_brouillon(dossier, auteur=auteur, guichet=donnees["guichet"])
            if piece_identite:
                pieces.deposer_piece(
                    demande=demande, type=choix.TypePiece.IDENTITE, fichier=piece_identite, auteur=auteur
                )
        else:
            demande = services.enregistrer_demande(
                dossier,
                auteur=auteur,
                guichet=donnees["guichet"],
                doublons_ecartes=tuple(donnees.get("doublons_ecartes", ())),
                piece_identite=piece_identite,
            )
        corps = self.dossier_relu(demande, changements=[], doublons_candidats=doublons_candidats(demande, request))
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
            "(numéro unique). Une demande satisfaite ou annulée ne se modifie pas (409). L'instructeur d'un "
            "bailleur complète et corrige une demande active qu'il voit (pas un brouillon). Jeton de portée "
            "« écriture »." + FORMAT_ERREURS
        ),
        parameters=[PARAMETRE_ID],
        request=DemandeModificationSerializer,
        responses={200: DemandeResultatSerializer, **ERREURS_ECRITURE},
    )
    def update(self, request, *args, partial=False, **kwargs):
        demande = self.demande_instruisible()
        # Jamais « partial » au sens de DRF : une personne envoyée est toujours décrite en entier.
        classe = DemandeModificationPartielleSerializer if partial else DemandeModificationSerializer
        donnees = valider(classe(data=request.data, context=self.get_serializer_context()))
        piece_identite = donnees.pop("piece_identite", None)
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
        dossier = dossier_saisi(donnees, charger_dossier(demande))
        auteur = Auteur.agent(request.user)
        changements = []
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
                piece_identite=piece_identite,
            )
        return Response(
            self.dossier_relu(demande, changements=changements, doublons_candidats=doublons_candidats(demande, request))
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
        demande = self.demande_modifiable()
        services.renouveler_demande(demande, auteur=Auteur.agent(request.user))
        return Response(self.dossier_relu(demande))

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
        demande = self.demande_modifiable()
        donnees = valider(AnnulationSerializer(data=request.data))
        services.annuler_demande(
            demande,
            motif=donnees["motif"],
            commentaire=donnees["commentaire"],
            auteur=Auteur.agent(request.user),
        )
        return Response(self.dossier_relu(demande))

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
        demande = self.demande_modifiable()
        donnees = valider(ReactivationSerializer(data=request.data))
        services.reactiver_demande(demande, motif=donnees["motif"], auteur=Auteur.agent(request.user))
        return Response(self.dossier_relu(demande))
