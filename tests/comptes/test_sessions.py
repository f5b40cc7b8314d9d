"""Durée des sessions (OWASP ASVS 3.3) : 12 heures au plus depuis la connexion, même en activité, et une
inactivité plus courte pour les agents (30 minutes) que pour les demandeurs (2 heures)."""

from datetime import timedelta

import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.monde.factories import DemandeurFactory

PROFIL = "/compte/"


def _connecte(client, url=PROFIL) -> bool:
    return client.get(url).status_code == 200


def test_une_session_d_agent_expire_apres_douze_heures_meme_en_activite(client, agent_verifie):
    depart = timezone.now()
    with time_machine.travel(depart, tick=False) as horloge:
        agent_verifie()
        assert _connecte(client)
        # Une requête toutes les 20 minutes : jamais inactif, mais la durée absolue s'applique.
        ecoule = timedelta(0)
        while ecoule + timedelta(minutes=20) < timedelta(seconds=settings.FDLS_SESSION_DUREE_MAX_S):
            ecoule += timedelta(minutes=20)
            horloge.move_to(depart + ecoule)
            assert _connecte(client), ecoule
        horloge.move_to(depart + timedelta(seconds=settings.FDLS_SESSION_DUREE_MAX_S + 60))
        reponse = client.get(PROFIL)
    assert reponse.status_code == 302
    assert reponse.url.startswith(reverse("comptes:connexion"))
    assert "_auth_user_id" not in client.session


def test_un_agent_inactif_est_deconnecte_plus_tot(client, agent_verifie):
    depart = timezone.now()
    inactivite = timedelta(seconds=settings.FDLS_SESSION_INACTIVITE_AGENT_S)
    assert inactivite < timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with time_machine.travel(depart, tick=False) as horloge:
        agent_verifie()
        assert _connecte(client)
        horloge.move_to(depart + inactivite - timedelta(minutes=1))
        assert _connecte(client)
        horloge.move_to(depart + 2 * inactivite)
        reponse = client.get(PROFIL)
    assert reponse.status_code == 302
    assert reponse.url.startswith(reverse("comptes:connexion"))
    suite = client.get(reponse.url)
    assert "session a expiré" in suite.content.decode()


def test_un_demandeur_garde_sa_session_au_dela_de_l_inactivite_des_agents(client):
    demandeur = DemandeurFactory()
    depart = timezone.now()
    espace = reverse("portail:espace")
    with time_machine.travel(depart, tick=False) as horloge:
        client.force_login(demandeur)
        assert _connecte(client, espace)
        horloge.move_to(depart + timedelta(seconds=2 * settings.FDLS_SESSION_INACTIVITE_AGENT_S))
        assert _connecte(client, espace)
        horloge.move_to(depart + timedelta(seconds=settings.FDLS_SESSION_DUREE_MAX_S + 60))
        assert not _connecte(client, espace)
