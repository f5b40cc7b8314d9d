"""Issue 20, points 5 et 6 par l'API : les dates contrôlées partout (400 en français par champ), l'état
« À valider » en clair, ni attestation pour une demande annulée, ni renouvellement avant la date annoncée."""

import datetime

import pytest

from demandes.cycle import services
from demandes.dossier.saisie import renouvelable_a_partir_du
from demandes.en_ligne import services as en_ligne
from demandes.models import Demande, Label
from offre.models import Disponibilite
from tests.monde.dossiers import dossier, enregistrer
from tests.monde.factories import LogementFactory, ProgrammeFactory, agent_bailleur
from tests.monde.territoires import territoire_nantes


@pytest.fixture
def m():
    return territoire_nantes()


def _post(client, url, donnees, entetes):
    return client.post(url, donnees, content_type="application/json", headers=entetes)


def test_label_date_avant_le_depot_ou_avant_1900_400(m, client, jeton):
    demande = enregistrer(m, date_depot=datetime.date(2024, 3, 12))
    ddets = jeton(m.agent_ddets, ecriture=True)[1]
    url = f"/api/v1/demandes/{demande.pk}/labels/"

    avant_depot = _post(client, url, {"type": "cp-dalo", "date_pose": "2024-03-11"}, ddets)
    avant_1900 = _post(client, url, {"type": "cp-dalo", "date_pose": "1899-12-31"}, ddets)
    futur = _post(client, url, {"type": "cp-dalo", "date_pose": "2999-01-01"}, ddets)

    assert avant_depot.status_code == 400
    assert avant_depot.json()["erreurs"]["date_pose"] == [
        "La date de début du label ne peut précéder le dépôt de la demande (12/03/2024)."
    ]
    assert "antérieure à 1900" in avant_1900.json()["erreurs"]["date_pose"][0]
    assert "ne peut être dans le futur" in futur.json()["erreurs"]["date_pose"][0]
    assert not Label.objects.filter(demande=demande).exists()
    assert _post(client, url, {"type": "cp-dalo", "date_pose": "2024-03-12"}, ddets).status_code == 201


def test_vacance_datee_avant_1900_ou_dans_un_futur_impossible_400(client, jeton):
    agent = agent_bailleur()
    logement = LogementFactory(programme=ProgrammeFactory(bailleur=agent.organisme))
    entetes = jeton(agent, ecriture=True)[1]
    base = {"logement": logement.pk, "motif": "relocation"}

    ancienne = _post(client, "/api/v1/disponibilites/", {**base, "date_disponibilite": "1850-01-01"}, entetes)
    lointaine = _post(client, "/api/v1/disponibilites/", {**base, "date_disponibilite": "2999-01-01"}, entetes)

    assert ancienne.status_code == 400, ancienne.json()
    assert ancienne.json()["erreurs"]["date_disponibilite"] == [
        "La date de disponibilité (01/01/1850) est antérieure à 1900 : vérifiez l'année."
    ]
    assert lointaine.status_code == 400
    assert "ne peut dépasser le" in lointaine.json()["erreurs"]["date_disponibilite"][0]
    assert not Disponibilite.objects.exists()


def test_a_valider_en_clair_attestation_et_renouvellement(m, client, jeton):
    ehs = jeton(m.agent_ehs, ecriture=True)[1]
    auteur = services.Auteur(libelle="Le demandeur (dépôt en ligne)")
    a_valider = en_ligne.deposer_en_ligne(dossier(communes=[m.reze], nom="Benali", prenom="Sami"), auteur=auteur)
    lue = client.get(f"/api/v1/demandes/{a_valider.pk}/", headers=ehs).json()
    assert (lue["etat"], lue["etat_libelle"]) == ("a_valider", "À valider")

    active = enregistrer(m)
    debut = renouvelable_a_partir_du(active)
    assert debut > datetime.date.today()
    trop_tot = _post(client, f"/api/v1/demandes/{active.pk}/renouveler/", {}, ehs)
    assert trop_tot.status_code == 400
    assert f"se renouvelle à partir du {debut:%d/%m/%Y}" in str(trop_tot.json())
    Demande.objects.filter(pk=active.pk).update(date_expiration=datetime.date.today() + datetime.timedelta(days=5))
    assert _post(client, f"/api/v1/demandes/{active.pk}/renouveler/", {}, ehs).status_code == 200

    services.annuler_demande(active, motif="renonciation", auteur=services.Auteur.agent(m.agent_ehs))
    attestation = client.get(f"/api/v1/demandes/{active.pk}/attestation.pdf", headers=ehs)
    assert attestation.status_code == 409
    assert "annulée" in str(attestation.json())
