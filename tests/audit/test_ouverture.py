"""Une ligne du journal par ouverture de fiche : les fragments de la fiche qui portent le jeton de son ouverture
n'en ajoutent pas ; sans jeton valide (autre agent, autre demande, falsifié), ils écrivent la leur."""

import pytest
from django.core import signing
from django.urls import reverse

from fdls.audit.models import Consultation
from fdls.audit.services import ENTETE_OUVERTURE, jeton_ouverture
from tests.monde.dossiers import demande_avec_exclusion
from tests.monde.territoires import territoire_nantes

ENTETE_HTTP = "HTTP_" + ENTETE_OUVERTURE.upper().replace("-", "_")


@pytest.fixture
def m():
    monde = territoire_nantes(grille=True)
    monde.demande = demande_avec_exclusion(monde)
    return monde


def _lignes(m, agent):
    return Consultation.objects.filter(objet_type="demandes.demande", objet_id=str(m.demande.pk), utilisateur=agent)


def _onglet(client, m, **entetes):
    reponse = client.get(reverse("cotation:onglet_demande", args=[m.demande.pk]), HTTP_HX_REQUEST="true", **entetes)
    assert reponse.status_code == 200
    return reponse


def test_la_fiche_et_son_onglet_font_une_seule_ligne(client, agent_verifie, m):
    agent_verifie(m.agent_ehs)

    fiche = client.get(reverse("demandes:detail", args=[m.demande.pk]))
    jeton = fiche.context["jeton_ouverture"]
    assert f'"{ENTETE_OUVERTURE}": "{jeton}"' in fiche.content.decode()
    _onglet(client, m, **{ENTETE_HTTP: jeton})

    assert _lignes(m, m.agent_ehs).count() == 1
    assert _lignes(m, m.agent_ehs).get().chemin == reverse("demandes:detail", args=[m.demande.pk])


def test_un_fragment_sans_jeton_ou_avec_un_jeton_falsifie_est_journalise(client, agent_verifie, m):
    agent_verifie(m.agent_ehs)

    _onglet(client, m)
    _onglet(client, m, **{ENTETE_HTTP: "faux:jeton"})
    falsifie = signing.dumps({"u": m.agent_ehs.pk, "o": ["demandes.demande", str(m.demande.pk)]}, salt="autre")
    _onglet(client, m, **{ENTETE_HTTP: falsifie})

    assert _lignes(m, m.agent_ehs).count() == 3


def test_le_jeton_d_un_autre_agent_ou_d_une_autre_demande_ne_couvre_rien(client, agent_verifie, m):
    agent_verifie(m.agent_ehs)
    autre_demande = demande_avec_exclusion(m)

    _onglet(client, m, **{ENTETE_HTTP: jeton_ouverture(m.agent_ddets, m.demande)})
    _onglet(client, m, **{ENTETE_HTTP: jeton_ouverture(m.agent_ehs, autre_demande)})

    assert _lignes(m, m.agent_ehs).count() == 2
