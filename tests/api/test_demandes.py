"""Lecture des demandes par l'API : politique d'accès (CCH R441-2-6) et journal des consultations."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fdls.audit.models import Consultation
from tests.monde.factories import CommuneFactory, DemandeFactory, GuichetFactory, OrganismeFactory
from tests.monde.territoires import ville_de_reze

LISTE = "/api/v1/demandes/"


@pytest.fixture
def territoire():
    """Un organisme habilité sur Rezé seulement ; Nantes (même département) est hors de son territoire."""
    t = ville_de_reze()
    guichet_tiers = GuichetFactory(commune=t.nantes)
    return {
        "organisme": t.organisme,
        "dedans": DemandeFactory(nom="Martin", communes=[t.reze], guichet=guichet_tiers),
        "dehors": DemandeFactory(nom="Bernard", communes=[t.nantes], guichet=guichet_tiers),
        "nantes": t.nantes,
    }


def test_liste_limitee_au_territoire_et_journalisee(client, jeton, territoire):
    agent, entetes, _ = jeton(organisme=territoire["organisme"])
    reponse = client.get(LISTE, headers=entetes)
    assert reponse.status_code == 200
    corps = reponse.json()
    assert corps["count"] == 1
    assert [d["id"] for d in corps["results"]] == [territoire["dedans"].pk]
    assert corps["results"][0]["localisations"][0]["commune_nom"] == "Rezé"
    lignes = Consultation.objects.filter(utilisateur=agent)
    assert [(c.action, c.objet_id, c.organisme_id) for c in lignes] == [
        ("api", str(territoire["dedans"].pk), territoire["organisme"].pk)
    ]
    assert lignes[0].chemin == LISTE


def test_demandes_des_guichets_de_l_organisme_visibles_hors_territoire(client, jeton, territoire):
    agent, entetes, _ = jeton(organisme=territoire["organisme"])
    guichet_propre = GuichetFactory(organisme=territoire["organisme"], commune=territoire["nantes"])
    enregistree_ici = DemandeFactory(communes=[territoire["nantes"]], guichet=guichet_propre)
    ids = {d["id"] for d in client.get(LISTE, headers=entetes).json()["results"]}
    assert ids == {territoire["dedans"].pk, enregistree_ici.pk}


def test_fiche_visible_journalisee(client, jeton, territoire):
    agent, entetes, _ = jeton(organisme=territoire["organisme"])
    demande = territoire["dedans"]
    reponse = client.get(f"{LISTE}{demande.pk}/", headers=entetes)
    assert reponse.status_code == 200
    assert reponse.json()["numero_unique"] == demande.numero_unique
    assert reponse.json()["nom"] == "Martin"
    ligne = Consultation.objects.get(utilisateur=agent)
    assert (ligne.action, ligne.objet_type, ligne.objet_id) == ("api", "demandes.demande", str(demande.pk))
    assert ligne.organisme_id == territoire["organisme"].pk
    assert ligne.ip == "127.0.0.1"


def test_fiche_hors_territoire_404_sans_reveler_son_existence(client, jeton, territoire):
    agent, entetes, _ = jeton(organisme=territoire["organisme"])
    hors_territoire = client.get(f"{LISTE}{territoire['dehors'].pk}/", headers=entetes)
    inexistante = client.get(f"{LISTE}999999999/", headers=entetes)
    assert hors_territoire.status_code == inexistante.status_code == 404
    assert hors_territoire.json() == inexistante.json() == {"detail": "Ressource introuvable.", "code": "introuvable"}
    # Le journal note la tentative sur la demande qui existe (énumération visible), rien d'autre.
    refus = Consultation.objects.get(utilisateur=agent)
    assert (refus.action, refus.objet_id) == (Consultation.Action.REFUS, str(territoire["dehors"].pk))


def test_observateur_403_sans_donnee_nominative(client, jeton, territoire):
    agent, entetes, _ = jeton(organisme=territoire["organisme"], observateur=True)
    for adresse in (LISTE, f"{LISTE}{territoire['dedans'].pk}/"):
        reponse = client.get(adresse, headers=entetes)
        assert reponse.status_code == 403
        assert reponse.json()["code"] == "acces_refuse"
        assert "R441-2-6" in reponse.json()["detail"]
    assert not Consultation.objects.filter(utilisateur=agent).exists()


def test_session_verifiee_journalisee_aussi(client, agent_verifie, territoire):
    agent = agent_verifie(organisme=territoire["organisme"])
    assert client.get(f"{LISTE}{territoire['dedans'].pk}/").status_code == 200
    assert Consultation.objects.get(utilisateur=agent).action == "api"


def test_filtres_nom_numero_etat(client, jeton, territoire):
    _, entetes, _ = jeton(organisme=territoire["organisme"])
    reze = territoire["dedans"].localisations.get().commune
    martinez = DemandeFactory(nom="MARTINEZ", communes=[reze], satisfaite=True)
    DemandeFactory(nom="Durand", communes=[reze])

    def ids(**filtres):
        return {d["id"] for d in client.get(LISTE, filtres, headers=entetes).json()["results"]}

    assert ids(nom="mart") == {territoire["dedans"].pk, martinez.pk}
    assert ids(nom="mart", etat="satisfaite") == {martinez.pk}
    assert ids(numero_unique=martinez.numero_unique) == {martinez.pk}
    # Le filtre ne fait jamais sortir du territoire.
    assert ids(nom="bern") == set()
    assert ids(numero_unique=territoire["dehors"].numero_unique) == set()


def test_pagination_par_50_et_journal_de_la_seule_page_lue(client, jeton):
    commune = CommuneFactory()
    organisme = OrganismeFactory(perimetre=[commune])
    CommuneFactory()  # le territoire ne couvre pas tout le département
    DemandeFactory.create_batch(52, communes=[commune])
    agent, entetes, _ = jeton(organisme=organisme)
    premiere = client.get(LISTE, headers=entetes).json()
    assert premiere["count"] == 52
    assert len(premiere["results"]) == 50
    assert Consultation.objects.filter(utilisateur=agent).count() == 50
    seconde = client.get(premiere["next"], headers=entetes).json()
    assert len(seconde["results"]) == 2
    assert Consultation.objects.filter(utilisateur=agent).count() == 52


def _requetes_liste(client, entetes) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(LISTE, headers=entetes).status_code == 200
    return len(requetes)


def test_nombre_de_requetes_borne_sur_la_liste(client, jeton, django_assert_max_num_queries):
    commune, autre = CommuneFactory(), CommuneFactory()
    organisme = OrganismeFactory(perimetre=[commune, autre])
    CommuneFactory()
    DemandeFactory.create_batch(3, communes=[commune, autre])
    _, entetes, _ = jeton(organisme=organisme)
    client.get(LISTE, headers=entetes)  # premier appel : jeton, débit et portée mis en cache
    peu = _requetes_liste(client, entetes)
    DemandeFactory.create_batch(40, communes=[commune, autre])
    with django_assert_max_num_queries(peu):
        assert len(client.get(LISTE, headers=entetes).json()["results"]) == 43
    with django_assert_max_num_queries(15):
        client.get(LISTE, headers=entetes)
