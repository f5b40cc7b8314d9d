"""Connexion des agents : mot de passe, second facteur TOTP, verrouillage,
réinitialisation par courriel, expiration de session, Argon2."""

import base64
import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fdls import settings as reglages
from tests.comptes.test_reinitialisation import executer_taches_reinitialisation
from tests.monde.factories import MOT_DE_PASSE, AgentFactory, DemandeurFactory, TOTPDeviceFactory, code_totp


def _connexion(client, email, mot_de_passe=MOT_DE_PASSE, suite=None):
    url = reverse("comptes:connexion") + (f"?next={suite}" if suite else "")
    return client.post(url, {"username": email, "password": mot_de_passe})


def test_connexion_puis_second_facteur_mene_a_l_accueil(client):
    agent = AgentFactory()
    TOTPDeviceFactory(user=agent)

    reponse = _connexion(client, agent.email.upper())
    assert reponse.status_code == 302
    assert reponse.url == reverse("comptes:second_facteur")
    # Sans second facteur, l'accueil renvoie vers la saisie du code, et la
    # page du code ne montre pas encore la navigation des agents.
    assert client.get(reverse("socle:accueil")).url == reverse("comptes:second_facteur")
    assert "Navigation principale" not in client.get(reverse("comptes:second_facteur")).content.decode()

    reponse = client.post(reverse("comptes:second_facteur"), {"code": code_totp()})
    assert reponse.status_code == 302
    accueil = client.get(reverse("socle:accueil"))
    assert accueil.status_code == 200
    assert agent.organisme.nom in accueil.content.decode()
    assert "Navigation principale" in accueil.content.decode()


def test_un_code_faux_est_refuse_en_francais_et_l_agent_reste_bloque(client):
    agent = AgentFactory()
    TOTPDeviceFactory(user=agent)
    _connexion(client, agent.email)
    faux = f"{(int(code_totp()) + 1) % 1_000_000:06d}"
    reponse = client.post(reverse("comptes:second_facteur"), {"code": faux})
    assert reponse.status_code == 200
    assert "Code incorrect" in reponse.content.decode()
    assert client.get(reverse("socle:accueil")).status_code == 302


def test_la_page_demandee_est_rendue_apres_le_second_facteur(client):
    agent = AgentFactory()
    TOTPDeviceFactory(user=agent)
    _connexion(client, agent.email, suite=reverse("comptes:profil"))
    reponse = client.post(reverse("comptes:second_facteur"), {"code": code_totp()})
    assert reponse.url == reverse("comptes:profil")


def test_premier_acces_sans_appareil_passe_par_l_activation(client):
    agent = AgentFactory()
    reponse = _connexion(client, agent.email)
    assert reponse.url == reverse("comptes:activer_second_facteur")
    page = client.get(reponse.url)
    assert "<svg" in page.content.decode()
    appareil = TOTPDevice.objects.get(user=agent, confirmed=False)
    # La clé affichée en clair permet une saisie manuelle dans l'application.
    assert page.context["cle"].replace(" ", "") == base64.b32encode(appareil.bin_key).decode()

    code = f"{totp(appareil.bin_key):06d}"
    reponse = client.post(reverse("comptes:activer_second_facteur"), {"code": code})
    assert reponse.status_code == 302
    assert TOTPDevice.objects.filter(user=agent, confirmed=True).count() == 1
    assert client.get(reverse("socle:accueil")).status_code == 200


def test_un_agent_non_verifie_ne_peut_pas_remplacer_son_appareil(client):
    agent = AgentFactory()
    TOTPDeviceFactory(user=agent)
    _connexion(client, agent.email)
    assert client.get(reverse("comptes:activer_second_facteur")).url == reverse("comptes:second_facteur")


@pytest.mark.parametrize("mot_de_passe", ["mauvais-mot-de-passe", MOT_DE_PASSE])
def test_pas_d_enumeration_des_comptes(client, mot_de_passe):
    """Compte inconnu, mauvais mot de passe ou compte demandeur : même message."""
    demandeur = DemandeurFactory()
    reponses = [
        _connexion(client, "inconnu@exemple.fr", mot_de_passe),
        _connexion(client, AgentFactory().email, "mauvais-mot-de-passe"),
        _connexion(client, demandeur.email, mot_de_passe),
    ]
    for reponse in reponses:
        assert reponse.status_code == 200
        assert "Adresse électronique ou mot de passe incorrect." in reponse.content.decode()
    # Ce qui a été saisi est conservé (sauf le mot de passe).
    assert 'value="inconnu@exemple.fr"' in reponses[0].content.decode()


def test_verrouillage_apres_echecs_repetes(client):
    agent = AgentFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _connexion(client, agent.email, "mauvais-mot-de-passe")
    # Même le bon mot de passe est refusé pendant le verrouillage.
    reponse = _connexion(client, agent.email)
    assert reponse.status_code == 429
    assert "verrouill" in reponse.content.decode().lower()
    assert "_auth_user_id" not in client.session

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert _connexion(client, agent.email).status_code == 302


def test_reinitialisation_du_mot_de_passe_par_courriel(client, mailoutbox):
    agent = AgentFactory()
    reponse = client.post(reverse("comptes:mot_de_passe_oublie"), {"email": agent.email})
    assert reponse.url == reverse("comptes:mot_de_passe_envoye")
    # Adresse inconnue : même page, aucun courriel (pas d'énumération).
    client.post(reverse("comptes:mot_de_passe_oublie"), {"email": "inconnu@exemple.fr"})
    executer_taches_reinitialisation()
    assert len(mailoutbox) == 1
    lien = re.search(r"https?://[^\s]+/connexion/reinitialiser/[^\s]+/", mailoutbox[0].body).group(0)
    chemin = urlparse(lien).path

    # Le lien n'agit pas sur GET : il mène à un formulaire.
    page = client.get(chemin, follow=True)
    assert page.status_code == 200
    formulaire = page.redirect_chain[-1][0]
    nouveau = "Nouveau-mot-de-passe-2026!"
    trop_court = client.post(formulaire, {"new_password1": "court", "new_password2": "court"})
    assert trop_court.status_code == 200
    assert "trop court" in trop_court.content.decode()
    client.post(formulaire, {"new_password1": nouveau, "new_password2": nouveau})
    agent.refresh_from_db()
    assert agent.check_password(nouveau)


def test_la_session_expire_apres_inactivite(client, agent_verifie):
    agent_verifie()
    assert client.get(reverse("socle:accueil")).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)):
        reponse = client.get(reverse("socle:accueil"))
    assert reponse.status_code == 302
    assert reponse.url.startswith(reverse("comptes:connexion"))


def test_la_deconnexion_se_fait_en_post(client, agent_verifie):
    agent_verifie()
    assert client.get(reverse("comptes:deconnexion")).status_code == 405
    client.post(reverse("comptes:deconnexion"))
    assert client.get(reverse("socle:accueil")).status_code == 302


def test_les_mots_de_passe_sont_haches_avec_argon2():
    # La suite utilise un hachage rapide ; la configuration réelle est Argon2.

    assert reglages.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    empreinte = make_password("Mot-de-passe-solide-2026", hasher="argon2")
    assert identify_hasher(empreinte).algorithm == "argon2"
    assert check_password("Mot-de-passe-solide-2026", empreinte)
