"""Administration Django des listes de référence : pages en français, comptes par adresse électronique."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from fdls.comptes import services as services_comptes
from fdls.comptes.models import Role, Utilisateur
from tests.monde.factories import AgentFactory, CommuneFactory, GuichetFactory, OrganismeFactory


@pytest.fixture
def superutilisateur(agent_verifie):
    return agent_verifie(AgentFactory(is_superuser=True, is_staff=True, administrateur=True))


@pytest.mark.parametrize(
    ("modele", "titre"),
    [
        ("territoires_departement", "département"),
        ("territoires_epci", "EPCI"),
        ("territoires_commune", "commune"),
        ("territoires_quartier", "quartier"),
        ("organismes_organisme", "organisme"),
        ("organismes_guichet", "guichet d&#x27;enregistrement"),
        ("comptes_utilisateur", "utilisateur"),
        ("comptes_jetonapi", "jeton d&#x27;API"),
        ("audit_consultation", "consultation"),
    ],
)
def test_les_listes_de_reference_s_administrent_en_francais(client, superutilisateur, modele, titre):
    GuichetFactory(commune=CommuneFactory(nom="Rezé"))

    reponse = client.get(reverse(f"admin:{modele}_changelist"))

    assertContains(reponse, f"Sélectionnez l’objet {titre} à ")


def test_les_communes_se_cherchent_par_nom_ou_code(client, superutilisateur):
    CommuneFactory(nom="Rezé", code_insee="44143")
    CommuneFactory(nom="Nantes", code_insee="44109")
    url = reverse("admin:territoires_commune_changelist")

    assert [c.nom for c in client.get(url, {"q": "rez"}).context["cl"].result_list] == ["Rezé"]
    assert [c.nom for c in client.get(url, {"q": "44109"}).context["cl"].result_list] == ["Nantes"]


def test_la_fiche_d_un_organisme_ne_charge_pas_toutes_les_communes(client, superutilisateur):
    CommuneFactory.create_batch(40)
    organisme = OrganismeFactory(perimetre=[CommuneFactory(nom="Rezé")])

    reponse = client.get(reverse("admin:organismes_organisme_change", args=[organisme.pk]))

    assert reponse.status_code == 200
    # Saisie par recherche : seules les communes déjà habilitées sont dans le champ.
    assert reponse.content.decode().count("<option") < 20


def test_creer_un_agent_depuis_l_administration_par_son_adresse(client, superutilisateur):
    organisme = OrganismeFactory()

    reponse = client.post(
        reverse("admin:comptes_utilisateur_add"),
        {
            "email": "Nouvel.Agent@Test.fr",
            "first_name": "Nina",
            "last_name": "Nouvel",
            "kind": "agent",
            "organisme": organisme.pk,
            "roles": [Role.INSTRUCTEUR_BAILLEUR],
            "usable_password": "false",
        },
    )

    assert reponse.status_code == 302
    agent = Utilisateur.objects.get(email="nouvel.agent@test.fr")
    assert agent.roles == [Role.INSTRUCTEUR_BAILLEUR]
    assert not agent.has_usable_password()


def test_un_agent_sans_organisme_est_refuse_avec_un_message(client, superutilisateur):
    reponse = client.post(
        reverse("admin:comptes_utilisateur_add"),
        {"email": "orphelin@test.fr", "kind": "agent", "usable_password": "false"},
    )

    assertContains(reponse, "Un agent est rattaché à un organisme partenaire.")
    assert not Utilisateur.objects.filter(email="orphelin@test.fr").exists()


def test_les_jetons_d_api_se_revoquent_sans_reveler_de_cle(client, superutilisateur):
    jeton, cle = services_comptes.creer_jeton(agent=AgentFactory(), nom="ERP du bailleur")

    fiche = client.get(reverse("admin:comptes_jetonapi_change", args=[jeton.pk]))
    assert cle.encode() not in fiche.content
    assert client.get(reverse("admin:comptes_jetonapi_add")).status_code == 403

    client.post(
        reverse("admin:comptes_jetonapi_changelist"),
        {"action": "revoquer", "_selected_action": [jeton.pk]},
    )
    jeton.refresh_from_db()
    assert jeton.revoque_le is not None
