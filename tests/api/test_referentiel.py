"""Lectures sans donnée nominative : l'agent (moi/), le référentiel territorial, les partenaires."""

from fdls.territoires.models import Quartier
from tests.monde.factories import (
    CommuneFactory,
    DepartementFactory,
    EpciFactory,
    GuichetFactory,
    OrganismeFactory,
)


def _resultats(reponse):
    assert reponse.status_code == 200, reponse.content
    return reponse.json()["results"]


def test_moi_decrit_l_agent_et_la_portee_du_jeton(client, jeton):
    organisme = OrganismeFactory(nom="Ville de Rezé", type="commune")
    guichet = GuichetFactory(organisme=organisme, code="40001")
    agent, entetes, objet = jeton(organisme=organisme, guichet=guichet, roles=["agent_guichet", "reservataire"])
    reponse = client.get("/api/v1/moi/", headers=entetes)
    assert reponse.status_code == 200
    moi = reponse.json()
    assert moi["agent"]["email"] == agent.email
    assert moi["agent"]["nom"] == agent.last_name
    assert moi["agent"]["roles"] == [
        {"code": "agent_guichet", "libelle": "Agent de guichet"},
        {"code": "reservataire", "libelle": "Réservataire"},
    ]
    assert moi["agent"]["organisme"] == {"id": organisme.pk, "nom": "Ville de Rezé", "sigle": "", "type": "commune"}
    assert moi["agent"]["guichet"]["code"] == "40001"
    assert moi["jeton"]["portee"] == "lecture"
    assert moi["jeton"]["prefixe"] == objet.prefixe
    _, entetes_ecriture, _ = jeton(agent=agent, ecriture=True)
    assert client.get("/api/v1/moi/", headers=entetes_ecriture).json()["jeton"]["portee"] == "ecriture"


def test_departements_et_epci(client, jeton):
    _, entetes, _ = jeton()
    DepartementFactory(code="85", nom="Vendée", region="52")
    metropole = EpciFactory(siren="244400404", nom="Nantes Métropole", type="METRO")
    vendeen = EpciFactory(siren="200000001", nom="CC vendéenne", type="CC")
    CommuneFactory(code_insee="44109", nom="Nantes", epci=metropole)
    CommuneFactory(code_insee="85191", nom="La Roche-sur-Yon", departement__code="85", epci=vendeen)

    codes = [d["code"] for d in _resultats(client.get("/api/v1/departements/", headers=entetes))]
    assert {"44", "85"} <= set(codes)
    assert client.get("/api/v1/departements/85/", headers=entetes).json()["nom"] == "Vendée"

    epci_44 = _resultats(client.get("/api/v1/epci/", {"departement": "44"}, headers=entetes))
    assert [e["siren"] for e in epci_44] == ["244400404"]
    metros = _resultats(client.get("/api/v1/epci/", {"type": "METRO"}, headers=entetes))
    assert [e["nom"] for e in metros] == ["Nantes Métropole"]


def test_filtres_des_communes(client, jeton):
    _, entetes, _ = jeton()
    metropole = EpciFactory(siren="244400404", nom="Nantes Métropole")
    CommuneFactory(code_insee="44109", nom="Nantes", epci=metropole, codes_postaux=["44000", "44100", "44300"])
    CommuneFactory(code_insee="44143", nom="Rezé", epci=metropole, codes_postaux=["44400"])
    CommuneFactory(code_insee="44184", nom="Saint-Nazaire", codes_postaux=["44600"])
    CommuneFactory(code_insee="85191", nom="Nantilly", departement__code="85", codes_postaux=["85000"])

    def noms(**filtres):
        return sorted(c["nom"] for c in _resultats(client.get("/api/v1/communes/", filtres, headers=entetes)))

    assert noms(nom="nan") == ["Nantes", "Nantilly"]
    assert noms(nom="nan", departement="44") == ["Nantes"]
    assert noms(epci="244400404") == ["Nantes", "Rezé"]
    assert noms(code_postal="44100") == ["Nantes"]
    assert noms(code_postal="99999") == []
    commune = client.get("/api/v1/communes/44143/", headers=entetes).json()
    assert commune == {
        "code_insee": "44143",
        "nom": "Rezé",
        "departement": "44",
        "epci": "244400404",
        "codes_postaux": ["44400"],
        "population": 1000,
    }


def test_quartiers_filtres_par_commune_et_qpv(client, jeton):
    _, entetes, _ = jeton()
    nantes = CommuneFactory(code_insee="44109", nom="Nantes")
    reze = CommuneFactory(code_insee="44143", nom="Rezé")
    Quartier.objects.create(commune=nantes, nom="Bellevue", code="QN04401M", qpv=True)
    Quartier.objects.create(commune=nantes, nom="Centre-ville")
    Quartier.objects.create(commune=reze, nom="Château", code="QN04403M", qpv=True)

    nantes_qpv = _resultats(client.get("/api/v1/quartiers/", {"commune": "44109", "qpv": "true"}, headers=entetes))
    assert [q["nom"] for q in nantes_qpv] == ["Bellevue"]
    tous_nantes = _resultats(client.get("/api/v1/quartiers/", {"commune": "44109"}, headers=entetes))
    assert [q["nom"] for q in tous_nantes] == ["Bellevue", "Centre-ville"]


def test_organismes_et_guichets_filtres(client, jeton):
    _, entetes, _ = jeton()
    bailleur = OrganismeFactory(nom="Habitat 44", type="bailleur")
    ville = OrganismeFactory(nom="Ville de Rezé", type="commune")
    OrganismeFactory(nom="Vendée Habitat", type="bailleur", departement__code="85")
    reze = CommuneFactory(code_insee="44143", nom="Rezé")
    GuichetFactory(organisme=ville, commune=reze, code="10001", nom="Rezé – Service logement")
    GuichetFactory(organisme=bailleur, code="10002", nom="Habitat 44 – accueil", relai=True)

    bailleurs_44 = _resultats(
        client.get("/api/v1/organismes/", {"type": "bailleur", "departement": "44"}, headers=entetes)
    )
    assert "Habitat 44" in [o["nom"] for o in bailleurs_44]
    assert "Vendée Habitat" not in [o["nom"] for o in bailleurs_44]

    a_reze = _resultats(client.get("/api/v1/guichets/", {"commune": "44143"}, headers=entetes))
    assert [g["code"] for g in a_reze] == ["10001"]
    relais = _resultats(client.get("/api/v1/guichets/", {"type": "relai"}, headers=entetes))
    assert "10002" in [g["code"] for g in relais]
    du_bailleur = _resultats(client.get("/api/v1/guichets/", {"organisme": bailleur.pk}, headers=entetes))
    assert [g["code"] for g in du_bailleur] == ["10002"]


def test_lectures_sans_donnee_nominative_ouvertes_a_l_observateur(client, jeton):
    _, entetes, _ = jeton(observateur=True)
    for adresse in ("/api/v1/communes/", "/api/v1/organismes/", "/api/v1/guichets/", "/api/v1/moi/"):
        assert client.get(adresse, headers=entetes).status_code == 200
