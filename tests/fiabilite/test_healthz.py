"""/healthz : la sonde des orchestrateurs (docker compose, supervision)."""

import time

from fdls.socle.tasks import CLE_BATTEMENT, battement
from tests.fiabilite.serveurs import client_redis, port_libre


def test_base_et_broker_disponibles_200(client, broker_prive):
    reponse = client.get("/healthz")

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/json"
    assert "no-cache" in reponse["Cache-Control"]
    etat = reponse.json()
    assert etat["statut"] == "ok"
    assert etat["base"]["ok"] is True
    assert etat["broker"]["ok"] is True
    # Aucun worker n'a encore battu sur ce broker neuf : signalé, sans rendre l'application indisponible.
    assert etat["worker"] == {"ok": False, "erreur": "aucun battement reçu"}


def test_broker_injoignable_503(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{port_libre()}/0"  # personne n'écoute

    debut = time.monotonic()
    reponse = client.get("/healthz")

    assert time.monotonic() - debut < 3  # sans nouvelles tentatives (sonde docker : 10 s)
    assert reponse.status_code == 503
    etat = reponse.json()
    assert etat["statut"] == "degrade"
    assert etat["base"]["ok"] is True
    assert etat["broker"]["ok"] is False
    assert etat["worker"] == {"ok": False, "erreur": "broker injoignable"}


def test_broker_fige_503_sans_faire_attendre_la_sonde(client, broker_prive):
    with broker_prive.fige():
        debut = time.monotonic()
        reponse = client.get("/healthz")
        duree = time.monotonic() - debut

    # Une seconde au plus pour le ping, sans nouvelle tentative ni lecture du battement (sonde docker : 10 s).
    assert duree < 3
    assert reponse.status_code == 503
    assert reponse.json()["broker"]["ok"] is False


def test_le_battement_du_worker_donne_l_age_du_dernier_signal(client, broker_prive):
    battement()  # corps de la tâche, exécuté ici ; le vrai worker l'exécute dans test_outbox.py

    etat = client.get("/healthz").json()["worker"]
    assert etat["ok"] is True
    assert etat["dernier_battement_s"] <= 1
    assert 0 < client_redis(broker_prive.url).ttl(CLE_BATTEMENT) <= 600


def test_un_battement_trop_ancien_signale_un_worker_absent_sans_503(client, broker_prive):
    client_redis(broker_prive.url).set(CLE_BATTEMENT, repr(time.time() - 400))

    reponse = client.get("/healthz")

    assert reponse.status_code == 200  # la base et le broker répondent : le web sert toujours
    assert reponse.json()["worker"] == {"ok": False, "dernier_battement_s": 400}
