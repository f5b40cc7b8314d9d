"""Outbox des tâches : rien n'est envoyé sans commit, rien n'est perdu quand le broker est arrêté.

Chaque test a son propre Valkey (fixture ``broker_prive``) : il l'arrête ou le
fige sans toucher au Redis partagé. Les transactions sont réelles
(``transactional_db``) pour que les envois après commit aient lieu.
"""

import json
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from fdls.socle.models import TacheSortante
from fdls.socle.taches import planifier, purger_envoyees, relayer
from fdls.socle.tasks import CLE_BATTEMENT
from tests.fiabilite.serveurs import attendre, client_redis, lire, url_postgres, worker_celery

FILE = "fdls"  # CELERY_TASK_DEFAULT_QUEUE
BATTEMENT = "fdls.socle.tasks.battement"

pytestmark = pytest.mark.django_db(transaction=True)


class Annulation(Exception):
    pass


def planifier_puis_annuler():
    with transaction.atomic():
        planifier(BATTEMENT)
        raise Annulation


def messages_en_file(broker) -> list[dict]:
    return [json.loads(m) for m in client_redis(broker.url).lrange(FILE, 0, -1)]


def test_une_transaction_annulee_n_envoie_rien(broker_prive):
    with pytest.raises(Annulation):
        planifier_puis_annuler()

    assert not TacheSortante.objects.exists()
    assert messages_en_file(broker_prive) == []


def test_apres_commit_la_tache_part_aussitot(broker_prive):
    with transaction.atomic():
        tache = planifier(BATTEMENT)
        # Tant que la transaction n'est pas validée, rien n'est parti.
        assert messages_en_file(broker_prive) == []

    tache.refresh_from_db()
    assert tache.etat == TacheSortante.Etat.ENVOYEE
    assert tache.envoyee_le is not None
    assert [m["headers"]["task"] for m in messages_en_file(broker_prive)] == [BATTEMENT]


def test_un_nom_de_tache_inconnu_est_refuse_avant_toute_ecriture(broker_prive):
    with pytest.raises(ValueError, match="inconnue"):
        planifier("fdls.socle.tasks.battment")
    assert not TacheSortante.objects.exists()


@pytest.mark.exercice
@pytest.mark.parametrize("panne", ["arrete", "fige"])
def test_broker_en_panne_le_commit_reste_rapide_et_la_tache_attend(broker_prive, panne):
    """Broker arrêté (connexion refusée) ou figé (SIGSTOP : plus aucune réponse)."""
    if panne == "arrete":
        broker_prive.arreter()
        debut = time.monotonic()
        with transaction.atomic():
            tache = planifier(BATTEMENT, identifiant=1)
        duree = time.monotonic() - debut
    else:
        with broker_prive.fige():
            debut = time.monotonic()
            with transaction.atomic():
                tache = planifier(BATTEMENT, identifiant=1)
            duree = time.monotonic() - debut

    print(f"\ncommit + tentative d'envoi, broker {panne} : {duree:.3f} s")
    assert duree < 3
    tache.refresh_from_db()
    assert tache.etat == TacheSortante.Etat.EN_ATTENTE
    assert tache.tentatives == 1
    assert tache.derniere_erreur

    # Les requêtes suivantes ne paient plus le délai : les envois attendent le relais.
    debut = time.monotonic()
    with transaction.atomic():
        seconde = planifier(BATTEMENT, identifiant=2)
    assert time.monotonic() - debut < 0.5
    seconde.refresh_from_db()
    assert seconde.etat == TacheSortante.Etat.EN_ATTENTE


@pytest.mark.exercice
def test_relayer_avec_le_broker_arrete_ne_bloque_pas_sur_une_longue_file(broker_prive):
    broker_prive.arreter()
    TacheSortante.objects.bulk_create(TacheSortante(nom=BATTEMENT) for _ in range(200))

    debut = time.monotonic()
    assert relayer() == 0
    assert time.monotonic() - debut < 3
    assert TacheSortante.objects.filter(etat=TacheSortante.Etat.EN_ATTENTE).count() == 200


@pytest.mark.exercice
def test_au_retour_du_broker_le_relais_envoie_et_un_vrai_worker_execute(broker_prive):
    broker_prive.arreter()
    with transaction.atomic():
        tache = planifier(BATTEMENT)
    tache.refresh_from_db()
    assert tache.etat == TacheSortante.Etat.EN_ATTENTE

    broker_prive.demarrer()  # même port : le broker revient
    assert relayer() == 1
    tache.refresh_from_db()
    assert tache.etat == TacheSortante.Etat.ENVOYEE
    assert len(messages_en_file(broker_prive)) == 1
    assert client_redis(broker_prive.url).get(CLE_BATTEMENT) is None

    env = {"REDIS_URL": broker_prive.url, "DATABASE_URL": url_postgres(connection.settings_dict)}
    with worker_celery(env) as (worker, journal):
        try:
            attendre(lambda: client_redis(broker_prive.url).get(CLE_BATTEMENT), delai=45, pas=0.2)
        except TimeoutError:
            pytest.fail(f"le worker n'a pas exécuté la tâche relayée :\n{lire(journal)}")
        assert worker.poll() is None

    assert messages_en_file(broker_prive) == []
    # /healthz voit maintenant un worker vivant.
    etat = Client().get("/healthz").json()
    assert etat["worker"]["ok"] is True
    assert etat["worker"]["dernier_battement_s"] < 60


def test_les_lignes_executees_sont_purgees_apres_une_semaine_jamais_celles_pas_encore_executees():
    maintenant = timezone.now()
    il_y_a_8_jours = maintenant - timedelta(days=8)
    ancienne = TacheSortante.objects.create(
        nom=BATTEMENT, etat=TacheSortante.Etat.EXECUTEE, envoyee_le=il_y_a_8_jours, executee_le=il_y_a_8_jours
    )
    recente = TacheSortante.objects.create(
        nom=BATTEMENT, etat=TacheSortante.Etat.EXECUTEE, envoyee_le=il_y_a_8_jours, executee_le=maintenant
    )
    # Confiée au broker il y a 8 jours, jamais exécutée : elle reste (le relais la republiera).
    envoyee = TacheSortante.objects.create(nom=BATTEMENT, etat=TacheSortante.Etat.ENVOYEE, envoyee_le=il_y_a_8_jours)
    en_attente = TacheSortante.objects.create(nom=BATTEMENT)
    TacheSortante.objects.filter(pk=en_attente.pk).update(created_at=maintenant - timedelta(days=30))

    assert purger_envoyees() == 1
    assert set(TacheSortante.objects.values_list("pk", flat=True)) == {recente.pk, envoyee.pk, en_attente.pk}
    assert not TacheSortante.objects.filter(pk=ancienne.pk).exists()
