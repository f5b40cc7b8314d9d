"""Liste et fiche des demandes : politique d'accès (CCH R441-2-6) et journal des consultations."""

from datetime import date

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from demandes.models import Demande
from fdls.audit.models import Consultation
from tests.factories import AgentFactory, CommuneFactory, DemandeFactory, DemandeurFactory, GuichetFactory


@pytest.fixture
def territoire():
    """Un agent de Rezé : Rezé est son territoire, Nantes ne l'est pas."""
    reze, nantes = CommuneFactory(nom="Rezé"), CommuneFactory(nom="Nantes")
    agent = AgentFactory(organisme__perimetre=[reze], organisme__nom="Ville de Rezé")
    guichet_agent = GuichetFactory(organisme=agent.organisme, commune=reze)
    return {"agent": agent, "reze": reze, "nantes": nantes, "guichet_agent": guichet_agent}


def _demandes(reponse) -> list[Demande]:
    return list(reponse.context["page"].object_list)


def test_la_liste_ne_montre_que_les_demandes_visibles(client, agent_verifie, territoire):
    a_reze = DemandeFactory(nom="Martin", communes=[territoire["reze"]])
    a_nantes = DemandeFactory(nom="Bernard", communes=[territoire["nantes"]])
    deux_choix = DemandeFactory(nom="Durand", communes=[territoire["nantes"], territoire["reze"]])
    enregistree_ici = DemandeFactory(nom="Petit", guichet=territoire["guichet_agent"], communes=[territoire["nantes"]])
    agent_verifie(territoire["agent"])

    reponse = client.get(reverse("demandes:liste"))

    assert set(_demandes(reponse)) == {a_reze, deux_choix, enregistree_ici}
    assert a_nantes not in _demandes(reponse)
    assertNotContains(reponse, "BERNARD")


def test_les_colonnes_de_la_liste_des_demandes(client, agent_verifie, territoire):
    DemandeFactory(
        nom="Sanchez",
        prenom="Carine",
        date_naissance=date(1974, 8, 23),
        numero_unique="044041100185610001",
        date_depot=date(2011, 4, 18),
        communes=[territoire["reze"], territoire["nantes"]],
    )
    agent_verifie(territoire["agent"])

    reponse = client.get(reverse("demandes:liste"))

    assertContains(reponse, "044041100185610001")
    assertContains(reponse, "SANCHEZ Carine")
    assertContains(reponse, "(23/08/1974)")
    assertContains(reponse, "18/04/2011")
    assertContains(reponse, "<td>Rezé</td>", html=True)
    assertContains(reponse, '<th scope="col">N° unique</th>', html=True)


def test_les_filtres_de_la_liste_des_demandes(client, agent_verifie, territoire):
    reze = territoire["reze"]
    martin = DemandeFactory(nom="MARTIN", communes=[reze], numero_unique="044011200000110001")
    martinez = DemandeFactory(nom="Martinez", communes=[reze], etat=Demande.Etat.ANNULEE)
    DemandeFactory(nom="Lamartine", communes=[reze])
    au_guichet = DemandeFactory(nom="Guichet", guichet=territoire["guichet_agent"], communes=[reze])
    agent_verifie(territoire["agent"])
    url = reverse("demandes:liste")

    assert set(_demandes(client.get(url, {"nom": "mart"}))) == {martin, martinez}
    assert _demandes(client.get(url, {"numero_unique": "0440 1120 0000 1100 01"})) == [martin]
    assert _demandes(client.get(url, {"etat": "annulee"})) == [martinez]
    assert _demandes(client.get(url, {"guichet": territoire["guichet_agent"].pk})) == [au_guichet]


def test_un_numero_unique_mal_forme_est_explique(client, agent_verifie, territoire):
    DemandeFactory(communes=[territoire["reze"]])
    agent_verifie(territoire["agent"])

    reponse = client.get(reverse("demandes:liste"), {"numero_unique": "04405ABC", "nom": "Dupont"})

    assertContains(reponse, "Le numéro unique compte 18 chiffres")
    assertContains(reponse, 'value="04405ABC"')
    assertContains(reponse, 'value="Dupont"')
    assert _demandes(reponse) == []


def test_un_observateur_recoit_un_refus_qui_explique_la_regle(client, agent_verifie, territoire):
    demande = DemandeFactory(communes=[territoire["reze"]])
    agent_verifie(observateur=True, organisme=territoire["agent"].organisme)

    liste = client.get(reverse("demandes:liste"))
    fiche = client.get(reverse("demandes:detail", args=[demande.pk]))

    assert liste.status_code == fiche.status_code == 403
    assertContains(liste, "R441-2-6", status_code=403)
    assertContains(liste, "statistiques sans nom", status_code=403)
    assert not Consultation.objects.exists()


def test_un_demandeur_n_utilise_pas_les_ecrans_des_agents(client, territoire):
    demandeur = DemandeurFactory()
    demande = DemandeFactory(communes=[territoire["reze"]], compte_demandeur=demandeur)
    client.force_login(demandeur)

    assert client.get(reverse("demandes:liste")).status_code == 403
    assert client.get(reverse("demandes:detail", args=[demande.pk])).status_code == 403


def test_la_fiche_d_une_demande_hors_territoire_est_introuvable(client, agent_verifie, territoire):
    ailleurs = DemandeFactory(communes=[territoire["nantes"]])
    agent_verifie(territoire["agent"])

    reponse = client.get(reverse("demandes:detail", args=[ailleurs.pk]))

    assert reponse.status_code == 404
    assert client.get(reverse("demandes:detail", args=[ailleurs.pk + 1000])).status_code == 404
    assert not Consultation.objects.exists()


def test_la_fiche_affiche_la_demande_et_ecrit_une_ligne_au_journal(client, agent_verifie, territoire):
    demande = DemandeFactory(
        nom="Sanchez",
        prenom="Carine",
        numero_unique="044041100185610001",
        communes=[territoire["nantes"], territoire["reze"]],
    )
    agent = agent_verifie(territoire["agent"])

    reponse = client.get(reverse("demandes:detail", args=[demande.pk]), REMOTE_ADDR="203.0.113.7")

    assert reponse.status_code == 200
    assertContains(reponse, "<h1>SANCHEZ Carine</h1>", html=True)
    assertContains(reponse, "044041100185610001")
    assertContains(reponse, demande.guichet.nom)
    contenu = reponse.content.decode()
    assert contenu.index("Nantes <span") < contenu.index("Rezé <span")
    assert "no-store" in reponse["Cache-Control"]
    ligne = Consultation.objects.get()
    assert ligne.utilisateur == agent
    assert ligne.organisme == agent.organisme
    assert ligne.action == Consultation.Action.CONSULTATION
    assert (ligne.objet_type, ligne.objet_id) == ("demandes.demande", str(demande.pk))
    assert ligne.ip == "203.0.113.7"
    assert ligne.chemin == reverse("demandes:detail", args=[demande.pk])


def test_chaque_affichage_de_la_fiche_est_journalise(client, agent_verifie, territoire):
    demande = DemandeFactory(communes=[territoire["reze"]])
    agent_verifie(territoire["agent"])

    client.get(reverse("demandes:detail", args=[demande.pk]))
    client.get(reverse("demandes:detail", args=[demande.pk]))

    assert Consultation.objects.filter(objet_id=str(demande.pk)).count() == 2


def test_la_liste_des_demandes_reste_sous_20_requetes(client, agent_verifie, territoire, django_assert_max_num_queries):
    for _ in range(60):
        DemandeFactory(communes=[territoire["reze"], territoire["nantes"]])
    agent_verifie(territoire["agent"])

    with django_assert_max_num_queries(20):
        reponse = client.get(reverse("demandes:liste"))

    assert len(_demandes(reponse)) == 50
    assert reponse.context["page"].paginator.count == 60
    assertContains(reponse, 'aria-label="Page 2"')


def test_avec_htmx_des_criteres_invalides_remplacent_toute_la_zone_pour_montrer_les_erreurs(
    client, agent_verifie, territoire
):
    DemandeFactory(nom="Martin", communes=[territoire["reze"]])
    agent_verifie(territoire["agent"])
    url = reverse("demandes:liste")

    valide = client.get(url, {"nom": "mar"}, headers={"HX-Request": "true"})
    invalide = client.get(url, {"numero_unique": "12AB"}, headers={"HX-Request": "true"})

    assert "HX-Retarget" not in valide.headers
    assertContains(valide, '<div id="resultats">')
    assert invalide.headers["HX-Retarget"] == "#zone-liste"
    assert invalide.headers["HX-Reselect"] == "#zone-liste"
    assertContains(invalide, "Le numéro unique compte 18 chiffres")
