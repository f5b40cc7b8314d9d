"""Tables des transitions de l'instruction d'une vacance (docs/statuts.md) : positionnement, contact,
proposition, visite. Les services (``services.py``) passent par elles ; chaque transition écrit sa ligne
de journal dans la même transaction."""

from __future__ import annotations

from fdls.socle.workflow import CREATION, Transition, Workflow
from instruction.propositions.models import (
    Contact,
    Positionnement,
    Proposition,
    TransitionContact,
    TransitionPositionnement,
    TransitionProposition,
    TransitionVisite,
    Visite,
)

P = Positionnement.Etat
WORKFLOW_POSITIONNEMENT = Workflow(
    nom="positionnement",
    etats=P,
    journal=TransitionPositionnement,
    article="le positionnement",
    transitions=[
        Transition("positionner", frozenset({CREATION}), P.POSITIONNE, "positionner"),
        Transition("retenir", frozenset({P.POSITIONNE}), P.RETENU, "retenir"),
        Transition("decliner", frozenset({P.POSITIONNE}), P.DECLINE, "noter le refus d'être positionné pour"),
        Transition("clore", frozenset({P.POSITIONNE}), P.CLOS, "clore"),
        Transition("retirer", frozenset({P.POSITIONNE, P.RETENU}), P.RETIRE, "retirer", motif_obligatoire=True),
    ],
)

C = Contact.Etat
WORKFLOW_CONTACT = Workflow(
    nom="contact",
    etats=C,
    journal=TransitionContact,
    article="le contact",
    transitions=[Transition("contacter", frozenset({CREATION}), C.ENREGISTRE, "enregistrer")],
)

E = Proposition.Etat
WORKFLOW_PROPOSITION = Workflow(
    nom="proposition",
    etats=E,
    journal=TransitionProposition,
    article="la proposition",
    transitions=[
        Transition("proposer", frozenset({CREATION}), E.ENVOYEE, "proposer"),
        Transition("accepter", frozenset({E.ENVOYEE}), E.ACCEPTEE, "enregistrer l'acceptation de"),
        Transition("refuser", frozenset({E.ENVOYEE}), E.REFUSEE, "enregistrer le refus de", motif_obligatoire=True),
        Transition("constater_non_reponse", frozenset({E.ENVOYEE}), E.SANS_REPONSE, "constater l'absence de réponse à"),
    ],
)

V = Visite.Etat
WORKFLOW_VISITE = Workflow(
    nom="visite",
    etats=V,
    journal=TransitionVisite,
    article="la visite",
    transitions=[
        Transition("planifier", frozenset({CREATION}), V.PREVUE, "planifier"),
        Transition("realiser", frozenset({V.PREVUE}), V.REALISEE, "enregistrer le bilan de"),
        Transition("annuler", frozenset({V.PREVUE}), V.ANNULEE, "annuler", motif_obligatoire=True),
    ],
)
