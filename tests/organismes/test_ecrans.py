"""Écrans de gestion des partenaires : liste, fiche, annuaire des guichets, formulaires."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from fdls.organismes.models import Guichet, Organisme
from tests.monde.factories import (
    AgentFactory,
    CommuneFactory,
    DemandeurFactory,
    DepartementFactory,
    EpciFactory,
    GuichetFactory,
    OrganismeFactory,
)


def _noms(reponse) -> list[str]:
    return [o.nom for o in reponse.context["page"].object_list]


@pytest.fixture
def administrateur(agent_verifie):
    return agent_verifie(administrateur=True)


def test_tout_agent_lit_la_liste_des_organismes_avec_leurs_compteurs(client, agent_verifie):
    communes = CommuneFactory.create_batch(3)
    habitat = OrganismeFactory(nom="Habitat Atlantique", sigle="HA", perimetre=communes)
    GuichetFactory(organisme=habitat)
    GuichetFactory(organisme=habitat, actif=False)
    AgentFactory.create_batch(2, organisme=habitat)
    AgentFactory(organisme=habitat, is_active=False)
    agent_verifie(observateur=True)

    reponse = client.get(reverse("organismes:liste"))

    assert reponse.status_code == 200
    ligne = next(o for o in reponse.context["page"].object_list if o.nom == "Habitat Atlantique")
    assert (ligne.nb_guichets, ligne.nb_agents, ligne.nb_communes) == (1, 2, 3)
    assertContains(reponse, "<caption>Organismes partenaires", html=False)
    assertContains(reponse, '<th scope="col" class="nombre">Guichets actifs</th>', html=True)
    assertContains(reponse, "3 communes")
    # Un observateur consulte sans pouvoir modifier.
    assertNotContains(reponse, reverse("organismes:creer"))


def test_les_filtres_de_la_liste_des_organismes(client, agent_verifie):
    vendee = DepartementFactory(code="85", nom="Vendée")
    OrganismeFactory(nom="Habitat Atlantique", sigle="HA")
    OrganismeFactory(nom="Ville de Rezé", type=Organisme.Type.COMMUNE)
    OrganismeFactory(nom="Vendée Logement", sigle="VL", departement=vendee, actif=False)
    agent_verifie(organisme=OrganismeFactory(nom="Organisme de l'agent"))
    url = reverse("organismes:liste")

    assert _noms(client.get(url, {"type": "commune"})) == ["Ville de Rezé"]
    assert _noms(client.get(url, {"nom": "atlan"})) == ["Habitat Atlantique"]
    assert _noms(client.get(url, {"nom": "vl"})) == ["Vendée Logement"]
    assert _noms(client.get(url, {"departement": "85"})) == ["Vendée Logement"]
    assert _noms(client.get(url, {"actif": "non"})) == ["Vendée Logement"]
    assert "Vendée Logement" not in _noms(client.get(url, {"actif": "oui"}))


def test_un_filtre_invalide_donne_une_erreur_en_francais_sans_resultat(client, agent_verifie):
    OrganismeFactory(nom="Habitat Atlantique")
    agent_verifie()

    reponse = client.get(reverse("organismes:liste"), {"type": "inconnu", "nom": "Habitat"})

    assertContains(reponse, "Sélectionnez un choix valide")
    assertContains(reponse, 'aria-invalid="true"')
    assertContains(reponse, 'value="Habitat"')
    assert list(reponse.context["page"].object_list) == []


def test_un_demandeur_n_accede_pas_a_la_gestion(client):
    client.force_login(DemandeurFactory())

    assert client.get(reverse("organismes:liste")).status_code == 403
    assert client.get(reverse("organismes:guichets")).status_code == 403


def test_la_fiche_resume_un_departement_entier(client, agent_verifie):
    anjou = DepartementFactory(code="49", nom="Maine-et-Loire")
    communes = [CommuneFactory(code_insee=f"49{n:03d}", departement=anjou) for n in range(1, 32)]
    bailleur = OrganismeFactory(nom="Anjou Habitat", perimetre=communes, siren="244900015")
    GuichetFactory(
        organisme=bailleur,
        commune=communes[0],
        nom="Agence d'Angers",
        type=Guichet.Type.RELAI,
        adresse="1 rue de la Gare",
        horaires="Lundi au vendredi, 9 h – 12 h",
    )
    agent_verifie()

    reponse = client.get(reverse("organismes:fiche", args=[bailleur.pk]))

    assertContains(reponse, "<h1>Anjou Habitat</h1>", html=True)
    assertContains(reponse, "Département 49 (Maine-et-Loire) – 31 communes")
    assert reponse.context["territoire"].communes == []
    assertContains(reponse, "Agence d&#x27;Angers")
    assertContains(reponse, "Relai")
    assertContains(reponse, "1 rue de la Gare")
    assertContains(reponse, "Lundi au vendredi, 9 h – 12 h")


def test_la_fiche_liste_les_communes_d_un_petit_territoire(client, agent_verifie):
    metropole = EpciFactory(nom="Nantes Métropole")
    reze, bouguenais = CommuneFactory(nom="Rezé", epci=metropole), CommuneFactory(nom="Bouguenais", epci=metropole)
    CommuneFactory(nom="Hors périmètre", epci=metropole)
    commune = OrganismeFactory(nom="Ville de Rezé", type=Organisme.Type.COMMUNE, perimetre=[reze, bouguenais])
    agent_verifie()

    reponse = client.get(reverse("organismes:fiche", args=[commune.pk]))

    assert [c.nom for c in reponse.context["territoire"].communes] == ["Bouguenais", "Rezé"]
    assertContains(reponse, "Département 44 (Loire-Atlantique) – 2 communes sur 3")
    assertContains(reponse, "L'organisme n'a pas de guichet d'enregistrement.")


def test_l_annuaire_des_guichets_se_filtre_par_commune_type_et_organisme(client, agent_verifie):
    reze, nantes = CommuneFactory(nom="Rezé"), CommuneFactory(nom="Nantes")
    ville = OrganismeFactory(nom="Ville de Rezé")
    GuichetFactory(nom="CCAS de Rezé", commune=reze, organisme=ville)
    GuichetFactory(nom="Accueil de Nantes", commune=nantes, relai=True)
    GuichetFactory(nom="Agence de Nantes", commune=nantes)
    agent_verifie()
    url = reverse("organismes:guichets")

    def noms(**criteres):
        return [g.nom for g in client.get(url, criteres).context["page"].object_list]

    assert noms(commune="nant") == ["Accueil de Nantes", "Agence de Nantes"]
    assert noms(commune=reze.code_insee) == ["CCAS de Rezé"]
    assert noms(type="relai") == ["Accueil de Nantes"]
    assert noms(organisme=ville.pk) == ["CCAS de Rezé"]


def test_creer_un_guichet_avec_un_code_invalide_explique_l_erreur_et_garde_la_saisie(client, administrateur):
    organisme = OrganismeFactory()
    commune = CommuneFactory(nom="Rezé")
    donnees = {
        "code": "12A4",
        "nom": "CCAS de Rezé",
        "type": "accompagnateur",
        "organisme": organisme.pk,
        "commune": "Rezé",
        "horaires": "Mardi 9 h – 12 h",
        "public_accueilli": "Tous demandeurs",
        "visible_annuaire": "on",
        "actif": "on",
    }

    reponse = client.post(reverse("organismes:creer_guichet"), donnees)

    assert reponse.status_code == 200
    assertContains(reponse, "Le code guichet compte exactement 5 chiffres")
    assertContains(reponse, 'value="12A4"')
    assertContains(reponse, 'aria-invalid="true"')
    assertContains(reponse, 'aria-describedby="id_code_helptext id_code_error"')
    assertContains(reponse, 'value="CCAS de Rezé"')
    assertContains(reponse, "Mardi 9 h – 12 h")
    assert not Guichet.objects.filter(nom="CCAS de Rezé").exists()

    reponse = client.post(reverse("organismes:creer_guichet"), {**donnees, "code": "44143"})

    guichet = Guichet.objects.get(code="44143")
    assert (guichet.nom, guichet.commune, guichet.organisme) == ("CCAS de Rezé", commune, organisme)
    assert reponse.url == reverse("organismes:fiche", args=[organisme.pk])


def test_un_code_guichet_deja_attribue_est_refuse(client, administrateur):
    GuichetFactory(code="10001", nom="Guichet existant")
    organisme, commune = OrganismeFactory(), CommuneFactory()

    reponse = client.post(
        reverse("organismes:creer_guichet"),
        {"code": "10001", "nom": "Nouveau", "type": "relai", "organisme": organisme.pk, "commune": commune.code_insee},
    )

    assertContains(reponse, "Le code 10001 est déjà attribué au guichet « Guichet existant ».")
    assert Guichet.objects.filter(code="10001").count() == 1


def test_une_commune_inconnue_et_un_code_postal_incoherent_sont_expliques(client, administrateur):
    CommuneFactory(nom="Rezé", codes_postaux=["44400"])
    organisme = OrganismeFactory()
    url = reverse("organismes:creer_guichet")
    base = {"code": "20999", "nom": "CCAS", "type": "relai", "organisme": organisme.pk}

    assertContains(client.post(url, {**base, "commune": "Reze-les-Bains"}), "Aucune commune ne porte ce nom")
    assertContains(
        client.post(url, {**base, "commune": "Rezé", "code_postal": "44000"}),
        "Le code postal 44000 ne correspond pas à Rezé (44400).",
    )


def test_modifier_un_guichet_ne_change_jamais_son_code(client, administrateur):
    guichet = GuichetFactory(code="10005", nom="Ancien nom")

    client.post(
        reverse("organismes:modifier_guichet", args=[guichet.pk]),
        {
            "code": "99999",
            "nom": "Nouveau nom",
            "type": "relai",
            "organisme": guichet.organisme_id,
            "commune": guichet.commune.code_insee,
        },
    )

    guichet.refresh_from_db()
    assert (guichet.code, guichet.nom, guichet.type) == ("10005", "Nouveau nom", "relai")


def test_creer_un_organisme_avec_son_territoire(client, administrateur):
    anjou = DepartementFactory(code="49", nom="Maine-et-Loire")
    communes_49 = [CommuneFactory(code_insee=f"49{n:03d}", departement=anjou) for n in range(1, 4)]
    reze = CommuneFactory(nom="Rezé")
    donnees = {
        "nom": "Anjou Habitat",
        "type": "bailleur",
        "siren": "244 900 01",
        "departement": "49",
        "perimetre_departements": "49",
        "perimetre_communes": f"{reze.code_insee} 99999",
        "actif": "on",
    }

    reponse = client.post(reverse("organismes:creer"), donnees)

    assertContains(reponse, "Le SIREN compte exactement 9 chiffres.")
    assertContains(reponse, "Code(s) INSEE inconnu(s) : 99999.")
    assertContains(reponse, 'value="244 900 01"')
    assert not Organisme.objects.filter(nom="Anjou Habitat").exists()

    assertContains(client.post(reverse("organismes:creer"), {**donnees, "siren": "244900016"}), "clé de contrôle")

    client.post(
        reverse("organismes:creer"),
        {**donnees, "siren": "244 900 015", "perimetre_communes": reze.code_insee},
    )

    organisme = Organisme.objects.get(nom="Anjou Habitat")
    assert organisme.siren == "244900015"
    assert set(organisme.perimetre.all()) == {*communes_49, reze}


def test_le_formulaire_d_un_organisme_reprend_son_territoire_resume(client, administrateur):
    anjou = DepartementFactory(code="49", nom="Maine-et-Loire")
    communes_49 = [CommuneFactory(code_insee=f"49{n:03d}", departement=anjou) for n in range(1, 4)]
    reze = CommuneFactory()
    CommuneFactory(epci=reze.epci)  # ni le département 44 ni l'EPCI de Rezé ne sont entiers
    organisme = OrganismeFactory(perimetre=[*communes_49, reze])

    reponse = client.get(reverse("organismes:modifier", args=[organisme.pk]))

    form = reponse.context["form"]
    assert form["perimetre_departements"].value() == "49"
    assert form["perimetre_communes"].value() == reze.code_insee


@pytest.mark.parametrize(
    "nom_url",
    [
        "organismes:creer",
        "organismes:creer_guichet",
        "organismes:modifier",
        "organismes:agents",
        "organismes:creer_agent",
    ],
)
def test_les_ecrans_d_ecriture_sont_reserves_a_l_administration(client, agent_verifie, nom_url):
    organisme = OrganismeFactory()
    # Même un administrateur, s'il n'appartient pas au gestionnaire du fichier.
    agent_verifie(roles=["administrateur"], organisme=OrganismeFactory(type=Organisme.Type.BAILLEUR))
    args = [] if nom_url in ("organismes:creer", "organismes:creer_guichet") else [organisme.pk]

    assert client.get(reverse(nom_url, args=args)).status_code == 403
    assert client.post(reverse(nom_url, args=args), {"nom": "Piratage"}).status_code == 403
    assert not Organisme.objects.filter(nom="Piratage").exists()


def test_modifier_un_guichet_est_reserve_a_l_administration(client, agent_verifie):
    guichet = GuichetFactory(nom="Intact")
    agent_verifie()

    reponse = client.post(reverse("organismes:modifier_guichet", args=[guichet.pk]), {"nom": "Modifié"})

    assert reponse.status_code == 403
    guichet.refresh_from_db()
    assert guichet.nom == "Intact"


def test_la_liste_des_organismes_reste_sous_20_requetes(client, agent_verifie, django_assert_max_num_queries):
    communes = CommuneFactory.create_batch(5)
    for organisme in OrganismeFactory.create_batch(60, perimetre=communes):
        GuichetFactory(organisme=organisme)
        AgentFactory(organisme=organisme)
    agent_verifie()

    with django_assert_max_num_queries(20):
        reponse = client.get(reverse("organismes:liste"))

    assert len(reponse.context["page"].object_list) == 50
    assertContains(reponse, 'aria-label="Page 2"')


def test_l_annuaire_des_guichets_reste_sous_20_requetes(client, agent_verifie, django_assert_max_num_queries):
    GuichetFactory.create_batch(60)
    agent_verifie()

    with django_assert_max_num_queries(20):
        reponse = client.get(reverse("organismes:guichets"), {"page": 2})

    assert len(reponse.context["page"].object_list) == 10
