"""Portail du demandeur : connexion sans second facteur, « Mon espace »."""

import re

from django.urls import reverse

from fdls.audit.models import Consultation
from tests.monde.factories import MOT_DE_PASSE, AgentFactory, DemandeFactory, DemandeurFactory, TOTPDeviceFactory


def _connexion(client, email, mot_de_passe=MOT_DE_PASSE):
    return client.post(reverse("portail:connexion"), {"username": email, "password": mot_de_passe})


def _erreurs(reponse) -> list[str]:
    return re.findall(r"<p>Erreur&nbsp;: ([^<]+)</p>", reponse.content.decode())


def test_la_page_de_connexion_du_demandeur_a_des_champs_etiquetes(client):
    html = client.get(reverse("portail:connexion")).content.decode()

    assert '<label for="id_username">Adresse électronique</label>' in html
    assert '<label for="id_password">Mot de passe</label>' in html
    # Pas de navigation des agents sur le portail.
    assert "Navigation principale" not in html


def test_le_demandeur_se_connecte_sans_second_facteur_et_arrive_dans_son_espace(client):
    demandeur = DemandeurFactory()

    reponse = _connexion(client, demandeur.email)

    assert reponse.status_code == 302
    assert reponse.url == reverse("portail:espace")
    espace = client.get(reverse("portail:espace"))
    assert espace.status_code == 200
    assert "<h1>Mon espace</h1>" in espace.content.decode()


def test_un_compte_agent_recoit_le_meme_message_qu_un_mauvais_mot_de_passe(client):
    agent = AgentFactory()
    TOTPDeviceFactory(user=agent)
    demandeur = DemandeurFactory()

    refus_agent = _connexion(client, agent.email)
    refus_mot_de_passe = _connexion(client, demandeur.email, "mot-de-passe-faux")
    refus_inconnu = _connexion(client, "personne@exemple.fr")

    assert refus_agent.status_code == refus_mot_de_passe.status_code == refus_inconnu.status_code == 200
    assert _erreurs(refus_agent) == ["Adresse électronique ou mot de passe incorrect."]
    assert _erreurs(refus_agent) == _erreurs(refus_mot_de_passe) == _erreurs(refus_inconnu)
    assert "_auth_user_id" not in client.session
    # L'adresse saisie est conservée.
    assert f'value="{agent.email}"' in refus_agent.content.decode()


def test_mon_espace_ne_liste_que_mes_demandes(client):
    moi, autre = DemandeurFactory(), DemandeurFactory()
    miennes = DemandeFactory.create_batch(2, compte_demandeur=moi)
    sienne = DemandeFactory(compte_demandeur=autre)
    sans_compte = DemandeFactory()
    client.force_login(moi)

    html = client.get(reverse("portail:espace")).content.decode()

    for demande in miennes:
        assert demande.numero_unique_affiche in html
    assert sienne.numero_unique_affiche not in html
    assert sans_compte.numero_unique not in html
    assert "2 demandes rattachées à votre compte" in html
    assert "Active" in html
    # La lecture de ses propres demandes est journalisée comme toute lecture nominative.
    assert set(
        Consultation.objects.filter(utilisateur=moi, action=Consultation.Action.LISTE).values_list(
            "objet_id", flat=True
        )
    ) == {str(d.pk) for d in miennes}


def test_mon_espace_sans_demande_l_explique(client):
    client.force_login(DemandeurFactory())

    html = client.get(reverse("portail:espace")).content.decode()

    assert "Aucune demande n'est rattachée à votre compte" in html
    assert "Demande n°" not in html


def test_mon_espace_exige_une_connexion_de_demandeur(client, agent_verifie):
    anonyme = client.get(reverse("portail:espace"))
    assert anonyme.status_code == 302
    assert anonyme.url == f"{reverse('portail:connexion')}?next={reverse('portail:espace')}"

    agent_verifie()
    assert client.get(reverse("portail:espace")).url == reverse("socle:accueil")


def test_le_demandeur_deconnecte_revient_a_la_connexion_du_portail(client):
    client.force_login(DemandeurFactory())

    html = client.get(reverse("portail:espace")).content.decode()
    assert "Se déconnecter" in html

    reponse = client.post(reverse("comptes:deconnexion"), {"next": reverse("portail:connexion")})
    assert reponse.url == reverse("portail:connexion")
    assert "_auth_user_id" not in client.session
