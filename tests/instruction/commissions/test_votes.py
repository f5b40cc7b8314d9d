"""Vote à distance : fenêtre, membres à voix délibérative, vote modifiable et audité, quorum et majorité ;
objectifs de flux du réservataire."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from instruction.commissions import selectors, services, votes
from instruction.commissions.models import JournalVote, Membre
from instruction.commissions.services import Saisie
from tests.monde.factories import AgentFactory


@pytest.fixture
def vote(cal):
    examen = cal.examen()
    membre2 = AgentFactory(organisme=cal.monde.bailleur)
    Membre.objects.create(commission=cal.commission, user=membre2)
    Membre.objects.create(commission=cal.commission, user=cal.monde.agent_ddets, voix_deliberative=False)
    votes.ouvrir_vote(auteur=cal.monde.agent_bailleur, seance=cal.seance)
    return examen, membre2


def test_quorum_majorite_et_journal_des_votes(cal, vote):
    examen, membre2 = vote
    cal.commission.refresh_from_db()
    assert votes.depouiller(cal.commission, examen).libelle == "Aucun vote"
    votes.voter(user=cal.monde.agent_bailleur, examen=examen, choix="attribution")
    examen.refresh_from_db()
    assert "Quorum non atteint" in votes.depouiller(cal.commission, examen).libelle  # quorum : 2
    votes.voter(user=membre2, examen=examen, choix="report")
    assert votes.depouiller(cal.commission, examen).libelle == "Aucune proposition n'atteint la majorité"
    votes.voter(user=membre2, examen=examen, choix="attribution", commentaire="Après échange")
    resultat = votes.depouiller(cal.commission, examen)
    assert resultat.adopte == "attribution"
    assert resultat.votants == 2
    journal = list(JournalVote.objects.filter(vote__examen=examen).values_list("user", "avant", "choix"))
    assert journal == [
        (cal.monde.agent_bailleur.pk, "", "attribution"),
        (membre2.pk, "", "report"),
        (membre2.pk, "report", "attribution"),
    ]


def test_seuls_les_membres_votants_votent_dans_la_fenetre(cal, vote):
    examen, _ = vote
    with pytest.raises(PermissionDenied):
        votes.voter(user=cal.monde.agent_ddets, examen=examen, choix="attribution")  # voix consultative
    with pytest.raises(PermissionDenied):
        votes.voter(user=cal.monde.agent_autre_bailleur, examen=examen, choix="attribution")
    with pytest.raises(ValidationError):
        votes.voter(
            user=cal.monde.agent_bailleur, examen=examen, choix="attribution", le=timezone.now() + timedelta(days=3)
        )


def test_le_flux_du_reservataire_compte_les_baux_de_son_tour(cal):
    annee = timezone.localdate().year
    services.fixer_objectif(auteur=cal.monde.agent_bailleur, reservataire=cal.monde.ddets, annee=annee, objectif=4)
    a, b, c = cal.examen().candidatures.order_by("ordre")
    agent = cal.monde.agent_bailleur
    services.decider(auteur=agent, candidature=a, saisie=Saisie("attribution"))
    for x in (b, c):
        services.decider(auteur=agent, candidature=x, saisie=Saisie("non_attribution", motif="autre"))
    services.signer_bail(auteur=agent, candidature=a, signe_le=timezone.localdate(), entree_le=timezone.localdate())
    (ligne,) = selectors.flux_du_reservataire(cal.monde.ddets, annee)
    assert (ligne["bailleur"], ligne["objectif"], ligne["attribues"], ligne["taux"]) == (
        cal.monde.bailleur,
        4,
        1,
        25,
    )
    with pytest.raises(PermissionDenied):
        services.fixer_objectif(auteur=cal.monde.agent_ddets, reservataire=cal.monde.ddets, annee=annee, objectif=9)
