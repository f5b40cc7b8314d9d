"""Jetons d'API : une durée de vie maximale obligatoire, et révoqués quand le mot de passe ou le second facteur
de l'agent est réinitialisé (un jeton volé ne survit pas à la reprise du compte)."""

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fdls.comptes import services
from fdls.comptes.models import JetonApi
from tests.comptes.test_reinitialisation import executer_taches_reinitialisation
from tests.monde.factories import MOT_DE_PASSE, AgentFactory

MOI = "/api/v1/moi/"


def _ouvre(client, entetes) -> bool:
    return client.get(MOI, headers=entetes).status_code == 200


def test_un_jeton_sans_echeance_recoit_la_duree_maximale(settings):
    avant = timezone.now()
    jeton, _cle = services.creer_jeton(agent=AgentFactory(), nom="ERP")
    maximum = timedelta(days=settings.FDLS_JETON_DUREE_MAX_JOURS)
    assert avant + maximum <= jeton.expire_le <= timezone.now() + maximum


@pytest.mark.parametrize("jours", [366, 3650])
def test_une_echeance_au_dela_du_maximum_est_refusee_en_francais(settings, jours):
    settings.FDLS_JETON_DUREE_MAX_JOURS = 365
    with pytest.raises(ValidationError, match="365 jours au plus"):
        services.creer_jeton(agent=AgentFactory(), nom="ERP", expire_le=timezone.now() + timedelta(days=jours))
    assert not JetonApi.objects.exists()


def test_un_ancien_jeton_sans_limite_expire_a_la_duree_maximale(client, jeton, settings):
    _agent, entetes, objet = jeton()
    # Jeton créé avant la limite (échéance lointaine écrite en base) : la durée maximale compte depuis sa création.
    JetonApi.objects.filter(pk=objet.pk).update(expire_le=timezone.now() + timedelta(days=3650))
    assert _ouvre(client, entetes)
    with time_machine.travel(timezone.now() + timedelta(days=settings.FDLS_JETON_DUREE_MAX_JOURS + 1)):
        reponse = client.get(MOI, headers=entetes)
    assert reponse.status_code == 401
    assert "expiré" in reponse.json()["detail"]


def test_changer_son_mot_de_passe_revoque_ses_jetons(client, jeton, agent_verifie):
    agent = agent_verifie()
    _agent, entetes, _objet = jeton(agent=agent)
    _a, entetes_collegue, _o = jeton()
    nouveau = "Nouveau-mot-de-passe-2026!"
    reponse = client.post(
        reverse("comptes:changement_mot_de_passe"),
        {"old_password": MOT_DE_PASSE, "new_password1": nouveau, "new_password2": nouveau},
    )
    assert reponse.status_code == 302
    assert not _ouvre(client, entetes)
    assert _ouvre(client, entetes_collegue)
    assert JetonApi.objects.get(agent=agent).revoque_le is not None


def test_reinitialiser_son_mot_de_passe_par_courriel_revoque_ses_jetons(client, jeton, mailoutbox):
    agent, entetes, _objet = jeton()
    client.post(reverse("comptes:mot_de_passe_oublie"), {"email": agent.email})
    executer_taches_reinitialisation()
    lien = re.search(r"https?://[^\s]+/connexion/reinitialiser/[^\s]+/", mailoutbox[-1].body).group(0)
    formulaire = client.get(urlparse(lien).path, follow=True).redirect_chain[-1][0]
    nouveau = "Nouveau-mot-de-passe-2026!"
    client.post(formulaire, {"new_password1": nouveau, "new_password2": nouveau})
    agent.refresh_from_db()
    assert agent.check_password(nouveau)
    assert not _ouvre(client, entetes)


def test_remplacer_son_second_facteur_revoque_ses_jetons(client, jeton, agent_verifie):
    agent = agent_verifie()
    _agent, entetes, _objet = jeton(agent=agent)
    nouvel_appareil = services.preparer_totp(user=agent)
    assert services.confirmer_totp(user=agent, code=f"{totp(nouvel_appareil.bin_key):06d}") is not None
    assert not _ouvre(client, entetes)


def test_reinitialiser_le_second_facteur_par_l_administration_revoque_les_jetons(client, jeton, agent_verifie):
    agent = agent_verifie()
    _agent, entetes, _objet = jeton(agent=agent)
    TOTPDevice.objects.filter(user=agent).delete()
    assert not _ouvre(client, entetes)
