"""Noyau des workflows : une table par workflow, rendue telle quelle dans docs/statuts.md."""

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from cotation.grilles.services import WORKFLOW_GRILLE
from demandes.dossier.workflow import WORKFLOW_DEMANDE
from fdls.socle.workflow import AUTOMATE, WORKFLOWS, TransitionInterdite
from offre.models import WORKFLOW_DISPONIBILITE, DisponibiliteEvenement, EtatDisponibilite
from tests.monde.factories import AgentFactory, BailleurFactory, DisponibiliteFactory

RACINE = Path(__file__).resolve().parents[2]


def test_chaque_table_de_transitions_est_celle_de_docs_statuts():
    statuts = (RACINE / "docs" / "statuts.md").read_text()
    assert {"demande", "grille", "disponibilite"} <= set(WORKFLOWS)
    for nom, workflow in WORKFLOWS.items():
        assert workflow.tableau() in statuts, f"docs/statuts.md ne montre pas la table « {nom} » à jour :\n" + (
            workflow.tableau()
        )


def test_une_seule_transition_interdite_dans_le_projet():
    definitions = []
    for fichier in RACINE.glob("*/**/*.py"):
        if ".venv" in fichier.parts or "var" in fichier.parts:
            continue
        arbre = ast.parse(fichier.read_text())
        definitions += [
            (str(fichier.relative_to(RACINE)), n.name)
            for n in ast.walk(arbre)
            if isinstance(n, ast.ClassDef) and n.name == "TransitionInterdite"
        ]
    assert sorted(definitions) == [("fdls/socle/workflow.py", "TransitionInterdite")]


def test_les_workflows_ne_citent_que_leurs_etats():
    for workflow in (WORKFLOW_DEMANDE, WORKFLOW_GRILLE, WORKFLOW_DISPONIBILITE):
        for transition in workflow:
            assert transition.cible in workflow.etats.values
            assert transition.sources <= {*workflow.etats.values, ""}


def test_appliquer_change_l_etat_et_journalise_dans_la_meme_transaction():
    agent = AgentFactory(organisme=BailleurFactory())
    disponibilite = DisponibiliteFactory(logement__programme__bailleur=agent.organisme, etat="a_pourvoir")
    ligne = WORKFLOW_DISPONIBILITE.appliquer(disponibilite, "engager", auteur=AUTOMATE, commentaire=" CAL du 12 ")
    disponibilite.refresh_from_db()
    assert disponibilite.etat == EtatDisponibilite.EN_COURS
    assert (ligne.etat_avant, ligne.etat_apres, ligne.commentaire, ligne.auteur_libelle) == (
        "a_pourvoir",
        "en_cours",
        "CAL du 12",
        "Traitement automatisé",
    )
    assert list(DisponibiliteEvenement.objects.values_list("etat_apres", flat=True)) == ["en_cours"]


def test_une_action_refusee_ne_change_rien():
    disponibilite = DisponibiliteFactory(etat="attribuee")
    assert WORKFLOW_DISPONIBILITE.possibles(disponibilite) == []
    with pytest.raises(TransitionInterdite, match="ne peut pas : engager l'attribution"):
        WORKFLOW_DISPONIBILITE.appliquer(disponibilite, "engager", auteur=AUTOMATE)
    with pytest.raises(TransitionInterdite, match="attribuée ne change plus d'état"):
        WORKFLOW_DISPONIBILITE.vers(disponibilite, "a_pourvoir")
    disponibilite.refresh_from_db()
    assert disponibilite.etat == "attribuee"
    assert not DisponibiliteEvenement.objects.exists()


def test_un_motif_obligatoire_manquant_est_refuse():
    disponibilite = DisponibiliteFactory(etat="en_cours")
    with pytest.raises(ValidationError) as refus:
        WORKFLOW_DISPONIBILITE.appliquer(disponibilite, "retirer", auteur=AUTOMATE, commentaire="  ")
    assert "motif" in refus.value.message_dict
    disponibilite.refresh_from_db()
    assert disponibilite.etat == "en_cours"


def test_la_table_de_la_demande_porte_le_depot_en_ligne():
    noms = {t.nom for t in WORKFLOW_DEMANDE}
    assert {"deposer_en_ligne", "valider_en_ligne", "rejeter_en_ligne", "enregistrer", "fusionner"} <= noms
    assert WORKFLOW_DEMANDE["rejeter_en_ligne"].motif_obligatoire
