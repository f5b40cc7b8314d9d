"""Jetons d'API : gestion par l'agent lui-même (écrans) et création en ligne de commande."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fdls.comptes import services
from fdls.comptes.models import JetonApi
from tests.monde.factories import AgentFactory, DemandeurFactory

LISTE = "/compte/jetons/"


def _cle_affichee(reponse) -> str:
    return re.search(r'aria-label="Clé du jeton d\'API">([^<]+)</code>', reponse.content.decode()).group(1)


def test_liste_des_seuls_jetons_de_l_agent(client, agent_verifie):
    agent = agent_verifie()
    services.creer_jeton(agent=agent, nom="ERP bailleur")
    services.creer_jeton(agent=AgentFactory(), nom="Jeton d'un collègue")
    reponse = client.get(LISTE)
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert "ERP bailleur" in html
    assert "Jeton d&#x27;un collègue" not in html


def test_creer_un_jeton_affiche_la_cle_une_seule_fois(client, agent_verifie):
    agent = agent_verifie()
    reponse = client.post(f"{LISTE}creer/", {"nom": "Script d'export", "portee": "lecture", "expire_dans_jours": "90"})
    assert reponse.status_code == 200
    assert "no-store" in reponse["Cache-Control"]
    cle = _cle_affichee(reponse)
    jeton = JetonApi.objects.get(agent=agent)
    # Seule l'empreinte est en base ; la clé ouvre l'API au nom de l'agent.
    assert cle not in (jeton.empreinte, jeton.prefixe)
    assert jeton.empreinte == JetonApi.empreinte_de(cle)
    assert timezone.now() + timedelta(days=89) < jeton.expire_le <= timezone.now() + timedelta(days=90)
    client.logout()
    moi = client.get("/api/v1/moi/", headers={"Authorization": f"Token {cle}"})
    assert moi.json()["agent"]["email"] == agent.email
    # La liste ne la montre plus : seulement le préfixe.
    agent_verifie(agent)
    assert cle not in client.get(LISTE).content.decode()


def test_formulaire_invalide_ne_cree_rien(client, agent_verifie):
    agent_verifie()
    reponse = client.post(f"{LISTE}creer/", {"nom": "  ", "portee": "tout", "expire_dans_jours": "9999"})
    assert reponse.status_code == 200
    assert "Erreur" in reponse.content.decode()
    assert not JetonApi.objects.exists()


def test_revoquer_son_jeton_coupe_l_acces(client, agent_verifie):
    agent = agent_verifie()
    jeton, cle = services.creer_jeton(agent=agent, nom="ERP")
    assert client.get(f"{LISTE}{jeton.pk}/revoquer/").status_code == 405
    reponse = client.post(f"{LISTE}{jeton.pk}/revoquer/")
    assert reponse.status_code == 302
    jeton.refresh_from_db()
    assert jeton.revoque_le is not None
    assert client.get("/api/v1/moi/", headers={"Authorization": f"Token {cle}"}).status_code == 401


def test_revoquer_le_jeton_d_un_autre_404(client, agent_verifie):
    agent_verifie()
    jeton, _ = services.creer_jeton(agent=AgentFactory(), nom="ERP")
    assert client.post(f"{LISTE}{jeton.pk}/revoquer/").status_code == 404
    jeton.refresh_from_db()
    assert jeton.revoque_le is None


def test_un_demandeur_n_a_pas_de_jetons(client):
    client.force_login(DemandeurFactory())
    assert client.get(LISTE).status_code == 403
    assert (
        client.post(f"{LISTE}creer/", {"nom": "x", "portee": "lecture", "expire_dans_jours": "30"}).status_code == 403
    )
    assert not JetonApi.objects.exists()


def test_commande_creer_jeton_api(client):
    agent = AgentFactory(email="erp@bailleur.fr")
    sortie, messages = StringIO(), StringIO()
    call_command(
        "creer_jeton_api",
        "--email",
        "ERP@bailleur.fr",
        "--nom",
        "ERP bailleur",
        "--ecriture",
        "--expire-dans-jours",
        "30",
        stdout=sortie,
        stderr=messages,
    )
    cle = sortie.getvalue().strip()
    jeton = JetonApi.objects.get(agent=agent)
    assert (jeton.nom, jeton.portee) == ("ERP bailleur", "ecriture")
    assert jeton.expire_le <= timezone.now() + timedelta(days=30)
    assert "ne sera plus jamais affichée" in messages.getvalue()
    moi = client.get("/api/v1/moi/", headers={"Authorization": f"Token {cle}"})
    assert moi.json()["jeton"]["portee"] == "ecriture"


def test_commande_jeton_lecture_a_la_duree_maximale_par_defaut(settings):
    agent = AgentFactory()
    avant = timezone.now()
    call_command("creer_jeton_api", "--email", agent.email, "--nom", "Script", stdout=StringIO(), stderr=StringIO())
    jeton = JetonApi.objects.get(agent=agent)
    assert jeton.portee == "lecture"
    maximum = timedelta(days=settings.FDLS_JETON_DUREE_MAX_JOURS)
    assert avant + maximum <= jeton.expire_le <= timezone.now() + maximum


def test_commande_refuse_une_duree_au_dela_du_maximum(settings):
    agent = AgentFactory()
    with pytest.raises(CommandError, match=f"{settings.FDLS_JETON_DUREE_MAX_JOURS} jours"):
        call_command(
            "creer_jeton_api",
            "--email",
            agent.email,
            "--nom",
            "Script",
            "--expire-dans-jours",
            str(settings.FDLS_JETON_DUREE_MAX_JOURS + 1),
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert not JetonApi.objects.exists()


@pytest.mark.parametrize(
    ("compte", "message"),
    [("inconnu", "Aucun compte"), ("demandeur", "Seul un agent"), ("inactif", "désactivé")],
)
def test_commande_refuse_les_comptes_sans_acces(compte, message):
    email = {
        "inconnu": lambda: "personne@nulle-part.fr",
        "demandeur": lambda: DemandeurFactory().email,
        "inactif": lambda: AgentFactory(is_active=False).email,
    }[compte]()
    with pytest.raises(CommandError, match=message):
        call_command("creer_jeton_api", "--email", email, "--nom", "X", stdout=StringIO(), stderr=StringIO())
    assert not JetonApi.objects.exists()
