"""Mot de passe oublié : la requête fait le même travail que l'adresse soit connue ou non (le courriel part par
l'outbox, jamais pendant la requête), et les demandes sont limitées par adresse IP et par adresse électronique."""

from urllib.parse import urlparse

import pytest
from django.urls import reverse
from django.utils.module_loading import import_string

from fdls.socle.models import TacheSortante
from tests.monde.factories import AgentFactory

OUBLI = "/connexion/mot-de-passe-oublie/"
TACHE = "fdls.comptes.tasks.envoyer_reinitialisation"


def executer_taches_reinitialisation():
    for tache in TacheSortante.objects.filter(nom=TACHE).order_by("pk"):
        import_string(tache.nom)(*tache.args, **tache.kwargs)


def test_adresse_connue_ou_inconnue_la_requete_ne_fait_que_planifier(client, mailoutbox):
    agent = AgentFactory()
    connue = client.post(OUBLI, {"email": agent.email})
    inconnue = client.post(OUBLI, {"email": "inconnu@exemple.fr"})
    assert connue.status_code == inconnue.status_code == 302
    assert connue.url == inconnue.url == reverse("comptes:mot_de_passe_envoye")
    # Aucun envoi pendant la requête : le temps de réponse ne dit pas si le compte existe.
    assert mailoutbox == []
    assert TacheSortante.objects.filter(nom=TACHE).count() == 2

    executer_taches_reinitialisation()
    assert [m.to for m in mailoutbox] == [[agent.email]]


def test_le_lien_envoye_pointe_vers_l_adresse_du_site_et_non_l_hote_de_la_requete(client, mailoutbox, settings):
    settings.SITE_URL = "https://fdls.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    agent = AgentFactory()
    client.post(OUBLI, {"email": agent.email}, headers={"Host": "attaquant.example.com"})
    executer_taches_reinitialisation()
    assert "https://fdls.example.org/connexion/reinitialiser/" in mailoutbox[0].body
    assert "attaquant" not in mailoutbox[0].body


def test_les_demandes_sont_limitees_par_adresse_electronique(client, settings):
    agent = AgentFactory()
    for numero in range(settings.FDLS_REINITIALISATION_MAX_PAR_ADRESSE):
        reponse = client.post(OUBLI, {"email": agent.email}, REMOTE_ADDR=f"10.0.0.{numero + 1}")
        assert reponse.status_code == 302
    # Autre écriture de la même adresse, autre poste : refusée aussi, avec un message clair, saisie conservée.
    reponse = client.post(OUBLI, {"email": f" {agent.email.upper()} "}, REMOTE_ADDR="10.0.1.1")
    assert reponse.status_code == 429
    assert "Trop de demandes" in reponse.content.decode()
    assert agent.email.upper() in reponse.content.decode()
    assert TacheSortante.objects.filter(nom=TACHE).count() == settings.FDLS_REINITIALISATION_MAX_PAR_ADRESSE


def test_les_demandes_sont_limitees_par_adresse_ip(client, settings):
    for numero in range(settings.FDLS_REINITIALISATION_MAX_PAR_IP):
        assert client.post(OUBLI, {"email": f"personne{numero}@exemple.fr"}).status_code == 302
    reponse = client.post(OUBLI, {"email": "encore@exemple.fr"})
    assert reponse.status_code == 429
    assert "Trop de demandes" in reponse.content.decode()
    # Un autre poste n'est pas gêné.
    assert client.post(OUBLI, {"email": "encore@exemple.fr"}, REMOTE_ADDR="10.9.9.9").status_code == 302


@pytest.mark.parametrize("email", ["", "pas-une-adresse"])
def test_une_adresse_invalide_est_refusee_en_francais_sans_rien_planifier(client, email):
    reponse = client.post(OUBLI, {"email": email})
    assert reponse.status_code == 200
    assert "adresse" in reponse.content.decode().lower()
    assert not TacheSortante.objects.filter(nom=TACHE).exists()


def test_chemin_du_lien(client, mailoutbox):
    agent = AgentFactory()
    client.post(OUBLI, {"email": agent.email})
    executer_taches_reinitialisation()
    lien = next(mot for mot in mailoutbox[0].body.split() if "/connexion/reinitialiser/" in mot)
    assert client.get(urlparse(lien).path, follow=True).status_code == 200
