"""La table des transitions de la demande, et l'écriture de son historique.

Une seule table pour tout le cycle de vie, dépôt en ligne compris
(docs/statuts.md, « Demande ») ; les services qui font changer l'état
(enregistrement, vie de la demande, dépôt en ligne, fusion) la consultent et
écrivent l'événement de la transition dans ``Evenement``, journal immuable.
"""

from __future__ import annotations

from django.utils import timezone

from demandes.dossier.models import Demande, Evenement
from demandes.dossier.signaux import signaler
from fdls.socle.workflow import CREATION, Auteur, Transition, Workflow

Etat = Demande.Etat
Type = Evenement.Type

# Événements de l'instruction que lit la cotation (décotes après refus, passage en CAL).
EVENEMENTS_QUI_COTENT = frozenset({Type.REFUS_POSITIONNEMENT, Type.REFUS_ATTRIBUTION, Type.PASSAGE_CAL})


def _refus(workflow: Workflow, demande, transition: Transition) -> str:
    etat = workflow.libelle_etat(workflow.etat_de(demande))
    return f"Impossible de {transition.libelle} une demande à l'état « {etat} »."


WORKFLOW_DEMANDE = Workflow(
    nom="demande",
    etats=Etat,
    journal=Evenement,
    article="la demande",
    refus=_refus,
    transitions=[
        Transition(
            "sauver_brouillon", frozenset({CREATION, Etat.BROUILLON}), Etat.BROUILLON, "enregistrer le brouillon de"
        ),
        Transition(
            "enregistrer", frozenset({CREATION, Etat.BROUILLON}), Etat.ACTIVE, "enregistrer", Type.ENREGISTREMENT
        ),
        Transition("modifier", frozenset({Etat.ACTIVE}), Etat.ACTIVE, "modifier", Type.MODIFICATION),
        Transition("renouveler", frozenset({Etat.ACTIVE}), Etat.ACTIVE, "renouveler", Type.RENOUVELLEMENT),
        Transition("annuler", frozenset({Etat.ACTIVE}), Etat.ANNULEE, "annuler", Type.ANNULATION),
        Transition(
            "annuler_non_renouvellement",
            frozenset({Etat.ACTIVE}),
            Etat.ANNULEE,
            "annuler pour non-renouvellement",
            Type.ANNULATION_AUTOMATIQUE,
        ),
        Transition("avertir", frozenset({Etat.ACTIVE}), Etat.ACTIVE, "avertir avant radiation", Type.AVERTISSEMENT),
        Transition(
            "lever_avertissement",
            frozenset({Etat.ACTIVE}),
            Etat.ACTIVE,
            "lever l'avertissement de",
            Type.REPONSE_AVERTISSEMENT,
        ),
        Transition(
            "radier_sans_reponse",
            frozenset({Etat.ACTIVE}),
            Etat.ANNULEE,
            "radier faute de réponse",
            Type.RADIATION_SANS_REPONSE,
        ),
        Transition("reactiver", frozenset({Etat.ANNULEE}), Etat.ACTIVE, "réactiver", Type.REACTIVATION),
        Transition("satisfaire", frozenset({Etat.ACTIVE}), Etat.SATISFAITE, "satisfaire", Type.SATISFACTION),
        Transition("fusionner", frozenset({Etat.ACTIVE}), Etat.ANNULEE, "fusionner", Type.FUSION),
        Transition(
            "deposer_en_ligne",
            frozenset({CREATION, Etat.BROUILLON}),
            Etat.A_VALIDER,
            "déposer en ligne",
            Type.DEPOT_EN_LIGNE,
        ),
        Transition("valider_en_ligne", frozenset({Etat.A_VALIDER}), Etat.ACTIVE, "valider", Type.VALIDATION),
        Transition(
            "rejeter_en_ligne",
            frozenset({Etat.A_VALIDER}),
            Etat.REJETEE,
            "rejeter",
            Type.REJET_EN_LIGNE,
            motif_obligatoire=True,
        ),
    ],
)


def transitions_possibles(demande: Demande) -> list[str]:
    """Noms des actions permises dans l'état actuel de la demande."""
    return [t.nom for t in WORKFLOW_DEMANDE.possibles(demande)]


def ecrire_evenement(
    demande: Demande,
    type: str,
    auteur: Auteur,
    *,
    precisions: str = "",
    details: dict | None = None,
    etat_avant: str = "",
    etat_apres: str = "",
    date=None,
) -> Evenement:
    """Ajoute un événement à l'historique (immuable ; trigger PostgreSQL).

    Un refus ou un passage en CAL change la cotation : le signal
    ``demande_changee`` part dans la même transaction.
    """
    evenement = Evenement.objects.create(
        demande=demande,
        type=type,
        date=date or timezone.now(),
        precisions=precisions[:2000],
        details=details or {},
        etat_avant=etat_avant,
        etat_apres=etat_apres,
        **Evenement.valeurs_auteur(auteur),
    )
    if type in EVENEMENTS_QUI_COTENT:
        signaler(demande, Evenement.Type(type).label)
    return evenement
