"""Table des transitions d'un export en arrière-plan (docs/statuts.md, « Export de l'observatoire »)."""

from fdls.socle.workflow import CREATION, Transition, Workflow
from observatoire.pivot.models import EtatExport, TransitionExport

WORKFLOW_EXPORT = Workflow(
    nom="export_observatoire",
    etats=EtatExport,
    journal=TransitionExport,
    article="l'export",
    transitions=[
        Transition("demander", frozenset({CREATION}), EtatExport.DEMANDE, "demander l'export"),
        Transition("commencer", frozenset({EtatExport.DEMANDE}), EtatExport.EN_COURS, "commencer l'export"),
        Transition("terminer", frozenset({EtatExport.EN_COURS}), EtatExport.PRET, "terminer l'export"),
        Transition(
            "echouer",
            frozenset({EtatExport.DEMANDE, EtatExport.EN_COURS}),
            EtatExport.ECHOUE,
            "constater l'échec de l'export",
            motif_obligatoire=True,
        ),
    ],
)
