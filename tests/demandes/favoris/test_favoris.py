"""Recherches enregistrées (« favoris », issue 20 point 1) : enregistrer les critères de la liste sous un nom,
les retrouver sur l'accueil, les ouvrir, renommer, supprimer ; chaque agent les siennes seulement."""

from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from demandes.favoris.models import Favori
from demandes.favoris.services import criteres_propres
from tests.monde.factories import AgentFactory


def test_enregistrer_ouvrir_renommer_supprimer(client, agent_verifie, territoire_reze):
    agent = agent_verifie(territoire_reze.agent)

    reponse = client.post(
        reverse("demandes:enregistrer_favori"),
        {"nom": "  Renouvellements   de Rezé ", "criteres": "etat=active&page=3&nom=&inconnu=1&tri=depot"},
    )

    favori = Favori.objects.get(utilisateur=agent)
    assert favori.nom == "Renouvellements de Rezé"
    assert favori.criteres == "etat=active&tri=depot"
    assertRedirects(reponse, f"{reverse('demandes:liste')}?etat=active&tri=depot")
    accueil = client.get(reverse("socle:accueil"))
    assertContains(accueil, "Renouvellements de Rezé")
    assertRedirects(
        client.get(reverse("demandes:ouvrir_favori", args=[favori.pk])),
        f"{reverse('demandes:liste')}?etat=active&tri=depot",
    )

    client.post(reverse("demandes:renommer_favori", args=[favori.pk]), {"nom": "Actives"})
    favori.refresh_from_db()
    assert favori.nom == "Actives"

    client.post(reverse("demandes:supprimer_favori", args=[favori.pk]))
    assert not Favori.objects.filter(pk=favori.pk).exists()


def test_erreurs_en_francais_et_saisie_gardee(client, agent_verifie, territoire_reze):
    agent = agent_verifie(territoire_reze.agent)
    Favori.objects.create(utilisateur=agent, nom="Actives", criteres="etat=active")
    url = reverse("demandes:enregistrer_favori")

    doublon = client.post(url, {"nom": "actives", "criteres": "etat=annulee"})
    vide = client.post(url, {"nom": "", "criteres": "etat=annulee"})
    sans_critere = client.post(url, {"nom": "Rien", "criteres": "page=2"})

    assert doublon.status_code == vide.status_code == sans_critere.status_code == 400
    assertContains(doublon, "Vous avez déjà une recherche nommée « actives »", status_code=400)
    assertContains(doublon, 'value="actives"', status_code=400)
    assertContains(vide, "Donnez un nom à cette recherche.", status_code=400)
    assertContains(sans_critere, "abord des critères de recherche à enregistrer", status_code=400)
    assertContains(sans_critere, 'value="Rien"', status_code=400)
    assert Favori.objects.filter(utilisateur=agent).count() == 1


def test_un_agent_ne_touche_pas_aux_recherches_d_un_autre(client, agent_verifie, territoire_reze):
    autre = AgentFactory(organisme=territoire_reze.organisme)
    favori = Favori.objects.create(utilisateur=autre, nom="La sienne", criteres="etat=active")
    agent_verifie(territoire_reze.agent)

    for nom in ("demandes:ouvrir_favori", "demandes:renommer_favori", "demandes:supprimer_favori"):
        assert client.get(reverse(nom, args=[favori.pk])).status_code == 404
    assert client.post(reverse("demandes:supprimer_favori", args=[favori.pk])).status_code == 404
    assert Favori.objects.filter(pk=favori.pk).exists()
    assert "La sienne" not in client.get(reverse("socle:accueil")).content.decode()


def test_les_criteres_gardes_sont_ceux_de_la_liste():
    assert criteres_propres("nom=dup&prenom=&csrfmiddlewaretoken=x&par_page=20&page=2") == "nom=dup&par_page=20"
