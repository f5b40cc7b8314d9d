"""Droits d'instruction (issue 18, point 5) : un instructeur bailleur complète et corrige une demande active
qu'il voit et y ajoute les pièces de l'instruction ; chaque changement entre à l'historique au nom de son
organisme et la consultation est journalisée. Les actions de guichet (renouveler, annuler, avertir,
réactiver) lui restent interdites, comme toute écriture sur une demande annulée ou satisfaite ; un
administrateur du bailleur, un réservataire ou un bailleur d'un autre territoire ne modifient rien.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from demandes.cycle import services
from demandes.models import Demande, Evenement, Piece
from fdls import acces
from fdls.audit.models import Consultation
from fdls.comptes.models import Role
from fdls.organismes.models import Organisme
from tests.demandes.cycle.test_saisie import donnees_affichees
from tests.monde.dossiers import enregistrer
from tests.monde.factories import AgentFactory, CommuneFactory, DepartementFactory
from tests.monde.fichiers import PDF
from tests.monde.territoires import territoire_nantes

pytestmark = pytest.mark.usefixtures("stockage")


@pytest.fixture
def m():
    return territoire_nantes()


@pytest.fixture
def active(m):
    return enregistrer(m, loyer_actuel=Decimal("500"))


def url(nom: str, demande) -> str:
    return reverse(f"demandes:{nom}", args=[demande.pk])


def corriger_le_loyer(client, demande, loyer: str):
    page = client.get(url("modifier", demande))
    assert page.status_code == 200
    donnees = donnees_affichees(page.context["saisie"], "modifier")
    donnees["loyer_actuel"] = loyer
    return client.post(url("modifier", demande), donnees)


def deposer(client, demande):
    return client.post(
        url("pieces", demande),
        {"type": "avis_imposition", "personne": "", "fichier": SimpleUploadedFile("avis.pdf", PDF)},
    )


def test_la_politique_d_acces_donne_l_instruction_aux_seuls_instructeurs_des_bailleurs(m, active):
    reservataire = m.agent_ddets
    admin_bailleur = AgentFactory(organisme=m.bailleur, roles=[Role.ADMINISTRATEUR])
    instructeur_commune = AgentFactory(organisme=m.ville_reze, roles=[Role.INSTRUCTEUR_BAILLEUR])
    autre_dep = DepartementFactory(code="49", nom="Maine-et-Loire")
    bailleur_ailleurs = AgentFactory(
        organisme__type=Organisme.Type.BAILLEUR,
        organisme__perimetre=[CommuneFactory(nom="Angers", departement=autre_dep)],
        roles=[Role.INSTRUCTEUR_BAILLEUR],
    )
    instruisibles = {
        agent: set(Demande.objects.instruisibles_par(agent))
        for agent in (
            m.agent_bailleur,
            m.agent_ehs,
            reservataire,
            admin_bailleur,
            instructeur_commune,
            bailleur_ailleurs,
        )
    }
    assert acces.instruit(m.agent_bailleur)
    assert active in instruisibles[m.agent_bailleur]
    assert active in instruisibles[m.agent_ehs]  # le guichet accompagnateur garde tout
    for agent in (reservataire, admin_bailleur, instructeur_commune):
        assert not acces.instruit(agent)
    for agent in (reservataire, admin_bailleur, instructeur_commune, bailleur_ailleurs):
        assert active not in instruisibles[agent]
    # Les actions de guichet restent aux guichets : l'instructeur n'a pas de demande « modifiable ».
    assert not Demande.objects.modifiables_par(m.agent_bailleur).exists()


def test_un_instructeur_bailleur_corrige_la_demande_au_nom_de_son_organisme(client, agent_verifie, m, active):
    agent_verifie(m.agent_bailleur)

    reponse = corriger_le_loyer(client, active, "640")

    assert reponse.status_code == 302
    active.refresh_from_db()
    assert active.loyer_actuel == Decimal("640")
    evenement = active.evenements.get(type=Evenement.Type.MODIFICATION)
    assert evenement.auteur == m.agent_bailleur
    assert evenement.organisme == m.bailleur
    assert evenement.auteur_libelle == "Nantes Métropole Habitat"
    assert ("Loyer avec charges (€/mois)", "500,00", "640,00") in {
        (c["champ"], c["ancien"], c["nouveau"]) for c in evenement.details["changements"]
    }
    # La consultation de la page de modification est au journal, au nom de l'organisme.
    assert Consultation.objects.filter(
        utilisateur=m.agent_bailleur, organisme=m.bailleur, objet_id=str(active.pk)
    ).exists()


def test_une_correction_invalide_garde_la_saisie_et_n_ecrit_rien(client, agent_verifie, m, active):
    agent_verifie(m.agent_bailleur)

    reponse = corriger_le_loyer(client, active, "-12")

    assert reponse.status_code == 422
    assertContains(reponse, 'value="-12"', status_code=422)
    assert not active.evenements.filter(type=Evenement.Type.MODIFICATION).exists()
    active.refresh_from_db()
    assert active.loyer_actuel == Decimal("500")


def test_un_instructeur_bailleur_ajoute_une_piece_de_l_instruction(client, agent_verifie, m, active):
    agent_verifie(m.agent_bailleur)

    reponse = deposer(client, active)

    assert reponse.status_code == 302
    piece = Piece.objects.get(demande=active, type="avis_imposition")
    assert (piece.deposee_par, piece.organisme) == (m.agent_bailleur, m.bailleur)
    evenement = active.evenements.get(type=Evenement.Type.PIECE_AJOUTEE, details__piece=piece.pk)
    assert evenement.organisme == m.bailleur


def test_la_fiche_montre_a_l_instructeur_modifier_et_ajouter_une_piece_sans_les_actions_de_guichet(
    client, agent_verifie, m, active
):
    agent_verifie(m.agent_bailleur)

    fiche = client.get(url("detail", active))

    assertContains(fiche, f'href="{url("modifier", active)}"')
    assertContains(fiche, "Ajouter la pièce")
    assertContains(fiche, "Instruction : votre organisme complète et corrige cette demande")
    for action in ("renouveler", "annuler", "avertir"):
        assertNotContains(fiche, url(action, active))
    assertNotContains(fiche, "Consultation seule")


def test_les_actions_de_guichet_restent_interdites_a_l_instructeur(client, agent_verifie, m, active):
    agent_verifie(m.agent_bailleur)
    avant = active.evenements.count()

    assert client.post(url("renouveler", active)).status_code == 403
    assert client.post(url("annuler", active), {"motif": "renonciation"}).status_code == 403
    assert client.get(url("avertir", active)).status_code == 403
    assert client.get(url("reactiver", active)).status_code == 403
    assert active.evenements.count() == avant
    active.refresh_from_db()
    assert active.etat == Demande.Etat.ACTIVE


def test_une_demande_annulee_ne_se_corrige_pas(client, agent_verifie, m, active):
    services.annuler_demande(active, motif="renonciation", auteur=m.auteur)
    agent_verifie(m.agent_bailleur)

    fiche = client.get(url("detail", active))
    assertNotContains(fiche, url("modifier", active))
    assertNotContains(fiche, "Ajouter la pièce")
    assert client.get(url("modifier", active)).status_code == 403
    assert deposer(client, active).status_code == 403
    assert not Piece.objects.filter(demande=active, type="avis_imposition").exists()


@pytest.mark.parametrize("qui", ["reservataire", "administrateur du bailleur"])
def test_les_autres_roles_consultent_sans_corriger(client, agent_verifie, m, active, qui):
    agent = m.agent_ddets if qui == "reservataire" else AgentFactory(organisme=m.bailleur, roles=[Role.ADMINISTRATEUR])
    agent_verifie(agent)
    avant = active.evenements.count()

    fiche = client.get(url("detail", active))
    assert fiche.status_code == 200
    assertNotContains(fiche, url("modifier", active))
    assertNotContains(fiche, "Ajouter la pièce")
    assertContains(fiche, "Consultation seule")
    assert client.get(url("modifier", active)).status_code == 403
    assert deposer(client, active).status_code == 403
    assert active.evenements.count() == avant
    # Le refus est journalisé.
    assert Consultation.objects.filter(
        utilisateur=agent, action=Consultation.Action.REFUS, objet_id=str(active.pk)
    ).exists()


def test_un_bailleur_d_un_autre_territoire_ne_trouve_pas_la_demande(client, agent_verifie, m, active):
    autre_dep = DepartementFactory(code="49", nom="Maine-et-Loire")
    agent_verifie(
        AgentFactory(
            organisme__type=Organisme.Type.BAILLEUR,
            organisme__perimetre=[CommuneFactory(nom="Angers", departement=autre_dep)],
            roles=[Role.INSTRUCTEUR_BAILLEUR],
        )
    )

    for nom in ("detail", "modifier"):
        assert client.get(url(nom, active)).status_code == 404
    assert deposer(client, active).status_code == 404
    assert not Piece.objects.filter(demande=active, type="avis_imposition").exists()
