"""Comptes des agents d'un organisme : création avec courriel de choix du mot de passe, désactivation."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from fdls.comptes import services as services_comptes
from fdls.comptes.models import JetonApi, Role, Utilisateur
from fdls.organismes.models import Organisme
from tests.monde.factories import MOT_DE_PASSE, AgentFactory, GuichetFactory, OrganismeFactory


@pytest.fixture
def administrateur(agent_verifie):
    return agent_verifie(administrateur=True)


def test_creer_un_compte_envoie_le_courriel_qui_permet_de_choisir_son_mot_de_passe(
    client, administrateur, mailoutbox, django_capture_on_commit_callbacks
):
    organisme = OrganismeFactory(nom="Ville de Rezé", type=Organisme.Type.COMMUNE)
    guichet = GuichetFactory(organisme=organisme)

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            reverse("organismes:creer_agent", args=[organisme.pk]),
            {
                "email": "Claire.Martin@Reze.fr",
                "first_name": "Claire",
                "last_name": "Martin",
                "roles": [Role.AGENT_GUICHET, Role.RESERVATAIRE],
                "guichet": guichet.pk,
            },
        )

    assert reponse.url == reverse("organismes:agents", args=[organisme.pk])
    agent = Utilisateur.objects.get(email="claire.martin@reze.fr")
    assert (agent.organisme, agent.guichet, agent.kind) == (organisme, guichet, Utilisateur.Kind.AGENT)
    assert agent.roles == [Role.AGENT_GUICHET, Role.RESERVATAIRE]
    assert not agent.has_usable_password()
    assert len(mailoutbox) == 1
    courriel = mailoutbox[0]
    assert courriel.to == ["claire.martin@reze.fr"]
    assert "Votre compte d'agent" in courriel.subject
    assert "Un compte d'agent a été ouvert pour vous" in courriel.body
    lien = re.search(r"http://testserver(/connexion/reinitialiser/\S+/)", courriel.body).group(1)

    # L'agent suit le lien et choisit son mot de passe, puis se connecte avec.
    navigateur = Client()
    formulaire = navigateur.get(lien, follow=True)
    assert formulaire.status_code == 200
    nouveau = "Un mot de passe tres long 2026"
    navigateur.post(formulaire.redirect_chain[-1][0], {"new_password1": nouveau, "new_password2": nouveau})
    agent.refresh_from_db()
    assert agent.check_password(nouveau)


def test_la_liste_des_comptes_montre_les_roles(client, administrateur):
    organisme = OrganismeFactory()
    AgentFactory(organisme=organisme, first_name="Paul", last_name="Durand", roles=[Role.INSTRUCTEUR_BAILLEUR])

    reponse = client.get(reverse("organismes:agents", args=[organisme.pk]))

    assertContains(reponse, "Paul DURAND")
    assertContains(reponse, "Instructeur bailleur")


def test_une_adresse_deja_utilisee_ou_aucun_role_sont_expliques(client, administrateur, mailoutbox):
    organisme = OrganismeFactory()
    AgentFactory(email="deja@test.fr")

    reponse = client.post(
        reverse("organismes:creer_agent", args=[organisme.pk]),
        {"email": "DEJA@test.fr", "first_name": "Lou", "last_name": "Petit"},
    )

    assertContains(reponse, "Un compte existe déjà avec cette adresse électronique.")
    assertContains(reponse, "Choisissez au moins un rôle.")
    assertContains(reponse, 'value="Lou"')
    assert mailoutbox == []


def test_le_role_administrateur_est_reserve_au_gestionnaire(client, administrateur):
    bailleur = OrganismeFactory(type=Organisme.Type.BAILLEUR)

    reponse = client.post(
        reverse("organismes:creer_agent", args=[bailleur.pk]),
        {"email": "chef@bailleur.fr", "first_name": "Léa", "last_name": "Chef", "roles": [Role.ADMINISTRATEUR]},
    )

    assertContains(reponse, "Le rôle administrateur est réservé aux organismes gestionnaires du fichier.")
    assert not Utilisateur.objects.filter(email="chef@bailleur.fr").exists()


def test_un_agent_sans_droit_d_administration_ne_cree_pas_de_compte(client, agent_verifie, mailoutbox):
    organisme = OrganismeFactory()
    agent_verifie(organisme=organisme)

    reponse = client.post(
        reverse("organismes:creer_agent", args=[organisme.pk]),
        {"email": "intrus@test.fr", "first_name": "A", "last_name": "B", "roles": [Role.AGENT_GUICHET]},
    )

    assert reponse.status_code == 403
    assert not Utilisateur.objects.filter(email="intrus@test.fr").exists()
    assert mailoutbox == []


def test_desactiver_un_compte_bloque_la_connexion_et_revoque_ses_jetons(client, administrateur):
    agent = AgentFactory()
    jeton, _ = services_comptes.creer_jeton(agent=agent, nom="ERP")

    reponse = client.post(reverse("organismes:desactiver_agent", args=[agent.organisme_id, agent.pk]))

    assert reponse.status_code == 302
    agent.refresh_from_db()
    assert not agent.is_active
    assert not JetonApi.objects.valides().filter(pk=jeton.pk).exists()
    connexion = Client().post(reverse("comptes:connexion"), {"username": agent.email, "password": MOT_DE_PASSE})
    assertContains(connexion, "Adresse électronique ou mot de passe incorrect.")

    client.post(reverse("organismes:reactiver_agent", args=[agent.organisme_id, agent.pk]))
    agent.refresh_from_db()
    assert agent.is_active


def test_un_administrateur_ne_desactive_pas_son_propre_compte(client, administrateur):
    reponse = client.post(
        reverse("organismes:desactiver_agent", args=[administrateur.organisme_id, administrateur.pk]), follow=True
    )

    assertContains(reponse, "Vous ne pouvez pas désactiver votre propre compte.")
    administrateur.refresh_from_db()
    assert administrateur.is_active


def test_la_desactivation_se_fait_par_post_seulement(client, administrateur):
    agent = AgentFactory()

    reponse = client.get(reverse("organismes:desactiver_agent", args=[agent.organisme_id, agent.pk]))

    assert reponse.status_code == 405
    agent.refresh_from_db()
    assert agent.is_active
