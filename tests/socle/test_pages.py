"""Coquille de l'interface : accueil, rubriques du menu, administration, pages d'erreur."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests.monde.factories import (
    AgentFactory,
    CommuneFactory,
    DemandeFactory,
    DemandeurFactory,
    DepartementFactory,
    GuichetFactory,
    OrganismeFactory,
)

RUBRIQUES = ["offre", "instruction", "statistiques", "editions"]


def _cartes(html: str) -> dict[str, int]:
    """Compteurs affichés en cartes : libellé -> valeur."""
    cartes = re.findall(r'<span class="carte-valeur">([^<]+)</span>\s*<span class="carte-libelle">([^<]+)</span>', html)
    return {libelle.strip(): int(re.sub(r"\D", "", valeur)) for valeur, libelle in cartes}


def _file(html: str) -> dict[str, int]:
    """Entrées de la file de travail (« À traiter ») : libellé -> nombre."""
    entrees = re.findall(r'<span class="file-nombre">([^<]+)</span>\s*<span class="file-libelle">([^<]+)</span>', html)
    return {libelle.strip(): int(re.sub(r"\D", "", valeur)) for valeur, libelle in entrees}


def test_l_accueil_compte_les_demandes_du_territoire_de_l_agent(client, agent_verifie):
    nantes, reze = CommuneFactory(nom="Nantes"), CommuneFactory(nom="Rezé")
    bailleur = OrganismeFactory(perimetre=[nantes, reze])
    guichet = GuichetFactory(organisme=bailleur, commune=nantes)
    DemandeFactory.create_batch(2, communes=[nantes])
    DemandeFactory(communes=[reze], annulee=True)
    DemandeFactory(guichet=guichet, communes=[reze], brouillon=True)
    agent_verifie(AgentFactory(organisme=bailleur))

    reponse = client.get(reverse("socle:accueil"))

    assert reponse.status_code == 200
    cartes = _cartes(reponse.content.decode())
    assert cartes["demandes actives visibles"] == 2
    # Les brouillons de l'organisme sont une entrée de la file de travail (plus une carte en double).
    assert _file(reponse.content.decode())["Brouillons de mon organisme"] == 1
    assert "brouillon de mon organisme" not in cartes
    assert cartes["communes habilitées"] == 2
    assert cartes["guichet de mon organisme"] == 1


def test_un_agent_d_un_autre_territoire_ne_compte_aucune_demande(client, agent_verifie):
    nantes = CommuneFactory(nom="Nantes")
    DemandeFactory.create_batch(3, communes=[nantes])
    toulouse = CommuneFactory(code_insee="31555", nom="Toulouse", departement=DepartementFactory(code="31"))
    agent_verifie(AgentFactory(organisme=OrganismeFactory(perimetre=[toulouse])))

    cartes = _cartes(client.get(reverse("socle:accueil")).content.decode())

    assert cartes["demande active visible"] == 0  # 0 au singulier (typographie française)
    assert cartes["commune habilitée"] == 1


def test_un_observateur_ne_voit_que_des_chiffres_sans_demande(client, agent_verifie):
    nantes = CommuneFactory()
    DemandeFactory(communes=[nantes])  # et son guichet d'enregistrement
    agent_verifie(AgentFactory(observateur=True, organisme=OrganismeFactory(perimetre=[nantes])))

    reponse = client.get(reverse("socle:accueil"))

    html = reponse.content.decode()
    cartes = _cartes(html)
    assert not any("demande" in libelle for libelle in cartes)
    assert cartes["guichet d'enregistrement"] == 1
    assert reverse("observatoire:accueil") in html


def test_l_accueil_propose_les_raccourcis_du_role(client, agent_verifie):
    agent_verifie(AgentFactory(administrateur=True))

    html = client.get(reverse("socle:accueil")).content.decode()

    assert "Journal des consultations" in html
    assert f'href="{reverse("organismes:liste")}"' in html
    assert f'href="{reverse("socle:administration")}"' in html


def test_l_accueil_renvoie_l_anonyme_a_la_connexion_et_le_demandeur_a_son_espace(client):
    assert client.get(reverse("socle:accueil")).url.startswith(reverse("comptes:connexion"))
    client.force_login(DemandeurFactory())
    assert client.get(reverse("socle:accueil")).url == reverse("portail:espace")


@pytest.mark.parametrize("nom", RUBRIQUES)
def test_chaque_rubrique_s_affiche_mais_seule_l_offre_est_au_menu(client, agent_verifie, nom):
    agent_verifie()
    url = reverse("socle:section", args=[nom])

    reponse = client.get(url)

    assert reponse.status_code == 200
    html = reponse.content.decode()
    # Les rubriques encore sans écran métier ne sont pas proposées dans le menu (fdls.accueil.menu).
    assert (f'<a href="{url}" aria-current="page">' in html) is (nom == "offre")
    assert html.count("<h1") == 1
    assert "Ce que contiendra cette rubrique" in html


def test_la_rubrique_statistiques_donne_les_partenaires_par_type(client, agent_verifie):
    OrganismeFactory.create_batch(2)
    GuichetFactory(organisme=OrganismeFactory(commune=True))
    agent_verifie(AgentFactory(observateur=True))

    html = client.get(reverse("socle:section", args=["statistiques"])).content.decode()

    assert "leurs guichets d'enregistrement, par type d'organisme</caption>" in html
    # Deux bailleurs créés ici plus celui de l'observateur.
    assert re.search(r'<th scope="row">Bailleur social</th><td class="nombre">3</td><td class="nombre">0</td>', html)
    assert re.search(r'<th scope="row">Commune</th><td class="nombre">1</td><td class="nombre">1</td>', html)


def test_une_rubrique_inconnue_est_une_page_introuvable_en_francais(client, agent_verifie):
    agent_verifie()
    reponse = client.get("/rubrique-inconnue/")
    assert reponse.status_code == 404
    assert "Page introuvable" in reponse.content.decode()


@pytest.mark.parametrize(
    "agent",
    [
        pytest.param({"roles": ["agent_guichet"]}, id="agent de guichet"),
        pytest.param({"observateur": True}, id="observateur"),
        # Le rôle administrateur ne suffit pas hors de l'organisme gestionnaire.
        pytest.param({"roles": ["administrateur"]}, id="administrateur d'un bailleur"),
    ],
)
def test_l_administration_est_refusee_a_qui_n_administre_pas(client, agent_verifie, agent):
    agent_verifie(AgentFactory(**agent))

    reponse = client.get(reverse("socle:administration"))

    assert reponse.status_code == 403
    assert "Accès refusé" in reponse.content.decode()


def test_l_administrateur_du_gestionnaire_voit_l_administration(client, agent_verifie):
    CommuneFactory.create_batch(3)
    agent_verifie(AgentFactory(administrateur=True))

    reponse = client.get(reverse("socle:administration"))

    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert 'href="/administration/" aria-current="page"' in html
    assert f'href="{reverse("audit:journal")}"' in html
    assert 'href="/django-admin/' in html
    assert re.search(r'<th scope="row">Communes</th><td class="nombre">3</td>', html)


def test_les_pages_500_et_503_se_rendent_sans_la_base(django_assert_num_queries):
    with django_assert_num_queries(0):
        page_503 = render_to_string("503.html", {"message": "La base de données ne répond pas."})
        page_500 = render_to_string("500.html")

    assert "<h1>Service momentanément indisponible</h1>" in page_503
    assert "La base de données ne répond pas." in page_503
    assert "Réessayer" in page_503
    assert '<html lang="fr">' in page_500
    assert "<h1>Erreur interne</h1>" in page_500


def test_la_page_de_connexion_a_des_champs_etiquetes(client):
    html = client.get(reverse("comptes:connexion")).content.decode()

    assert '<label for="id_username">Adresse électronique</label>' in html
    assert '<label for="id_password">Mot de passe</label>' in html
    assert 'id="id_username"' in html
    assert 'id="id_password"' in html
    assert f'href="{reverse("comptes:mot_de_passe_oublie")}"' in html
    assert f'href="{reverse("portail:connexion")}"' in html


def test_une_connexion_refusee_garde_l_adresse_saisie_et_explique_l_erreur(client):
    reponse = client.post(reverse("comptes:connexion"), {"username": "inconnu@exemple.fr", "password": "faux"})

    html = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Erreur&nbsp;: Adresse électronique ou mot de passe incorrect." in html
    assert 'value="inconnu@exemple.fr"' in html
    assert "<title>Erreur – " in html


def test_une_erreur_de_champ_est_reliee_au_champ(client):
    reponse = client.post(reverse("comptes:connexion"), {"username": "pas-une-adresse", "password": "x"})

    html = reponse.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_username_error"' in html
    assert '<div class="erreur-champ" id="id_username_error">' in html
    assert 'value="pas-une-adresse"' in html


def test_le_profil_montre_organisme_roles_et_second_facteur(client, agent_verifie):
    agent = agent_verifie(AgentFactory(roles=["agent_guichet", "reservataire"]))

    html = client.get(reverse("comptes:profil")).content.decode()

    assert agent.organisme.nom in html
    assert "Agent de guichet, Réservataire" in html
    assert "Activé" in html
    assert f'href="{reverse("comptes:activer_second_facteur")}"' in html
    assert f'href="{reverse("comptes:changement_mot_de_passe")}"' in html


def test_une_requete_mal_formee_a_sa_page_400_en_francais(client):
    # Hôte hors de DJANGO_ALLOWED_HOSTS : Django lève DisallowedHost, rendu par le gestionnaire 400 du site.
    reponse = client.get("/connexion/", HTTP_HOST="inconnu.example.org")

    assert reponse.status_code == 400
    html = reponse.content.decode()
    assert '<html lang="fr"' in html
    assert "Requête incorrecte" in html
    assert "Bad Request" not in html
