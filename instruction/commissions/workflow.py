"""Tables des transitions des commissions d'attribution (docs/statuts.md) : séance et candidature.

Une candidature (une demande examinée pour un logement) reçoit l'une des décisions de R441-3 ; les
candidats classés attendent leur tour (``en_attente``) et le logement passe au suivant quand ceux classés
devant refusent ou que leur condition suspensive tombe ; le bail signé écarte ceux classés derrière.
"""

from __future__ import annotations

from fdls.socle.workflow import CREATION, Transition, Workflow
from instruction.commissions.models import Candidature, Seance, TransitionCandidature, TransitionSeance

S = Seance.Etat
WORKFLOW_SEANCE = Workflow(
    nom="seance",
    etats=S,
    journal=TransitionSeance,
    article="la séance",
    transitions=[
        Transition("planifier", frozenset({CREATION}), S.PLANIFIEE, "planifier"),
        Transition("ouvrir_vote", frozenset({S.PLANIFIEE}), S.VOTE, "ouvrir le vote à distance de"),
        Transition("clore", frozenset({S.PLANIFIEE, S.VOTE}), S.TENUE, "clore"),
        Transition("annuler", frozenset({S.PLANIFIEE, S.VOTE}), S.ANNULEE, "annuler", motif_obligatoire=True),
    ],
)

C = Candidature.Etat
WORKFLOW_CANDIDATURE = Workflow(
    nom="candidature_cal",
    etats=C,
    journal=TransitionCandidature,
    article="la candidature",
    transitions=[
        Transition("inscrire", frozenset({CREATION}), C.INSCRITE, "inscrire à l'ordre du jour"),
        Transition("attribuer", frozenset({C.INSCRITE}), C.ATTRIBUEE, "attribuer le logement à"),
        Transition("classer", frozenset({C.INSCRITE}), C.EN_ATTENTE, "classer"),
        Transition("attribuer_sous_condition", frozenset({C.INSCRITE}), C.SOUS_CONDITION, "attribuer sous condition à"),
        Transition(
            "ne_pas_attribuer",
            frozenset({C.INSCRITE}),
            C.NON_ATTRIBUEE,
            "refuser l'attribution à",
            motif_obligatoire=True,
        ),
        Transition(
            "declarer_irrecevable",
            frozenset({C.INSCRITE}),
            C.IRRECEVABLE,
            "déclarer irrecevable",
            motif_obligatoire=True,
        ),
        Transition("reporter", frozenset({C.INSCRITE}), C.REPORTEE, "reporter l'examen de"),
        Transition("lever_condition", frozenset({C.SOUS_CONDITION}), C.EN_ATTENTE, "lever la condition de"),
        Transition("constater_caducite", frozenset({C.SOUS_CONDITION}), C.CADUQUE, "constater la caducité de"),
        Transition("passer_au_rang", frozenset({C.EN_ATTENTE}), C.ATTRIBUEE, "passer le logement à"),
        Transition("accepter", frozenset({C.ATTRIBUEE}), C.ACCEPTEE, "enregistrer l'acceptation de"),
        Transition(
            "refuser",
            frozenset({C.ATTRIBUEE, C.ACCEPTEE}),
            C.REFUSEE,
            "enregistrer le refus de",
            motif_obligatoire=True,
        ),
        Transition("signer_bail", frozenset({C.ATTRIBUEE, C.ACCEPTEE}), C.BAIL_SIGNE, "signer le bail de"),
        Transition("ecarter", frozenset({C.EN_ATTENTE, C.SOUS_CONDITION}), C.ECARTEE, "écarter (bail signé devant)"),
        Transition(
            "retirer",
            frozenset({C.INSCRITE, C.ATTRIBUEE, C.EN_ATTENTE, C.SOUS_CONDITION, C.ACCEPTEE}),
            C.RETIREE,
            "retirer (demande satisfaite ailleurs)",
            motif_obligatoire=True,
        ),
    ],
)
