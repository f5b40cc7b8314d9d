"""API des commissions : le système d'un bailleur lit l'ordre du jour, pousse ses décisions et ses baux ;
erreurs 400 en français par champ, 403 pour un autre bailleur, 409 pour une action impossible."""

from datetime import timedelta

import pytest
from django.utils import timezone

from demandes.models import Demande, Evenement
from fdls.audit.models import Consultation
from instruction.commissions.models import Bail, Candidature

API = "/api/v1"


@pytest.fixture
def bailleur(jeton, cal):
    _, entetes, _ = jeton(cal.monde.agent_bailleur, ecriture=True)
    return entetes


def poster(client, chemin, donnees, entetes):
    return client.post(f"{API}{chemin}", donnees, headers=entetes, content_type="application/json")


def test_seance_ordre_du_jour_decisions_et_bail_par_l_api(client, cal, bailleur):
    seances = client.get(f"{API}/seances/", headers=bailleur).json()
    assert [s["id"] for s in seances] == [cal.seance.pk]
    assert seances[0]["commission"] == "0001"
    inscrit = poster(
        client, f"/seances/{cal.seance.pk}/ordre-du-jour/", {"disponibilite": cal.monde.disponibilite.pk}, bailleur
    )
    assert inscrit.status_code == 201, inscrit.json()
    ordre = client.get(f"{API}/seances/{cal.seance.pk}/ordre-du-jour/", headers=bailleur).json()
    a, b, c = (x["id"] for x in ordre[0]["candidatures"])
    assert Consultation.objects.filter(action="api", objet_id=str(ordre[0]["candidatures"][0]["demande"])).exists()

    sans_motif = poster(client, f"/candidatures/{c}/decision/", {"decision": "non_attribution"}, bailleur)
    assert sans_motif.status_code == 400
    assert "Indiquez le motif de la décision « non-attribution »" in str(sans_motif.json())
    assert (
        poster(
            client, f"/candidatures/{a}/decision/", {"decision": "attribution_rang", "rang": 1}, bailleur
        ).status_code
        == 200
    )
    assert (
        poster(
            client, f"/candidatures/{b}/decision/", {"decision": "attribution_rang", "rang": 2}, bailleur
        ).status_code
        == 200
    )
    reponse = poster(
        client, f"/candidatures/{c}/decision/", {"decision": "non_attribution", "motif": "inadapte"}, bailleur
    )
    assert reponse.json()["etat"] == "non_attribuee"
    deux_fois = poster(client, f"/candidatures/{c}/decision/", {"decision": "report"}, bailleur)
    assert deux_fois.status_code == 409

    refus = poster(client, f"/candidatures/{a}/reponse/", {"reponse": "refuser", "motif": "loyer"}, bailleur)
    assert refus.json()["etat"] == "refusee"
    aujourd_hui = timezone.localdate()
    bail = poster(
        client,
        f"/candidatures/{b}/bail/",
        {"signe_le": aujourd_hui.isoformat(), "entree_le": (aujourd_hui + timedelta(days=3)).isoformat()},
        bailleur,
    )
    assert bail.status_code == 201, bail.json()
    b_obj = Candidature.objects.get(pk=b)
    assert b_obj.etat == "bail_signe"
    assert Demande.objects.get(pk=b_obj.demande_id).etat == "satisfaite"
    assert Evenement.objects.filter(demande=b_obj.demande_id, type="satisfaction", details__rang=2).exists()
    assert [x["id"] for x in client.get(f"{API}/baux/", headers=bailleur).json()] == [Bail.objects.get().pk]


def test_un_autre_bailleur_ne_pousse_pas_de_decision(client, jeton, cal):
    candidature = cal.examen().candidatures.first()
    _, entetes, _ = jeton(cal.monde.agent_autre_bailleur, ecriture=True)
    reponse = poster(client, f"/candidatures/{candidature.pk}/decision/", {"decision": "attribution"}, entetes)
    assert reponse.status_code == 404
    candidature.refresh_from_db()
    assert candidature.etat == "inscrite"


def test_le_reservataire_invite_lit_sans_ecrire(client, jeton, cal):
    candidature = cal.examen().candidatures.first()
    _, entetes, _ = jeton(cal.monde.agent_ddets, ecriture=True)
    assert client.get(f"{API}/seances/{cal.seance.pk}/ordre-du-jour/", headers=entetes).status_code == 200
    reponse = poster(client, f"/candidatures/{candidature.pk}/decision/", {"decision": "attribution"}, entetes)
    assert reponse.status_code == 403
