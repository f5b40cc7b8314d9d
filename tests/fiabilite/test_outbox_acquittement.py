"""Exercice : le broker perd son contenu alors que des tâches lui ont été confiées (issue 16, point 2).

Un vrai worker est figé (SIGSTOP), 15 renouvellements sont validés (leurs
tâches de suite partent au broker du test), puis le Valkey du test redémarre
vide, comme un Valkey sans persistance (poste de développement) ou un AOF
perdu. Le worker dégelé, le relais de l'outbox (beat, toutes les 30 s)
republie ce qui n'a pas été exécuté : les 15 tâches s'exécutent, chacune
acquitte sa ligne de l'outbox.

Sans acquittement par la tâche, l'outbox marquait ces lignes « envoyées » et
14 des 15 tâches ne s'exécutaient jamais.
"""

import os
import signal
import time
from datetime import date

import pytest
from django.db import connection, transaction

from demandes.cycle import services
from demandes.models import Relance
from demandes.relances import traitements
from fdls.socle import taches
from fdls.socle.models import TacheSortante
from tests.fiabilite.serveurs import attendre, client_redis, lire, url_postgres, worker_celery
from tests.monde.factories import AgentFactory, DemandeFactory, GuichetFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.exercice]

N = 15


def _demandes_a_renouveler(n):
    guichet = GuichetFactory(code="10866")
    demandes = [
        DemandeFactory(
            guichet=guichet,
            canal="guichet",
            date_depot=date(2025, 4, 2),
            date_expiration=date(2026, 4, 2),
            telephone=f"06 00 00 10 {i:02d}",
            adresse_numero=str(i),
            adresse_voie="rue des Lilas",
            code_postal="44000",
            ville="Nantes",
        )
        for i in range(n)
    ]
    for d in demandes:
        traitements.preparer_relances([d.pk])  # rappels écrits, pas encore partis
    return guichet, demandes


def test_le_broker_perd_son_contenu_les_taches_confiees_s_executent_quand_meme(broker_prive, settings, tmp_path):
    settings.FDLS_OUTBOX_REPUBLICATION_S = 3
    guichet, demandes = _demandes_a_renouveler(N)
    agent = AgentFactory(organisme=guichet.organisme)
    assert Relance.objects.filter(statut="a_envoyer").count() == 2 * N
    env = {"REDIS_URL": broker_prive.url, "DATABASE_URL": url_postgres(connection.settings_dict)}

    with worker_celery(env) as (worker, journal):
        # Le worker est prêt (il a exécuté une tâche), puis figé : il ne consomme plus rien.
        with transaction.atomic():
            taches.planifier("fdls.socle.tasks.battement")
        try:
            attendre(lambda: client_redis(broker_prive.url).exists("fdls:worker:battement"), delai=60, pas=0.2)
        except TimeoutError:
            pytest.fail(f"le worker n'a pas démarré :\n{lire(journal)}")
        os.kill(worker.pid, signal.SIGSTOP)
        try:
            for d in demandes:
                services.renouveler_demande(d, auteur=services.Auteur.agent(agent))
            suites = TacheSortante.objects.filter(nom="demandes.tasks.clore_relances")
            assert suites.count() == N
            # Toutes confiées au broker dès le commit…
            assert not suites.filter(etat="en_attente").exists()
            # … qui redémarre vide (sans persistance).
            broker_prive.arreter()
            broker_prive.demarrer()
            assert client_redis(broker_prive.url).dbsize() == 0
        finally:
            os.kill(worker.pid, signal.SIGCONT)

        debut = time.monotonic()

        def toutes_executees():
            taches.relayer()  # ce que fait le beat toutes les 30 s
            return Relance.objects.filter(statut="sans_objet").count() == 2 * N

        try:
            attendre(toutes_executees, delai=90, pas=1)
        except TimeoutError:
            pytest.fail(
                f"{Relance.objects.filter(statut='sans_objet').count() // 2} tâche(s) de suite sur {N} exécutée(s) ; "
                f"outbox : {sorted(suites.values_list('etat', flat=True))}\n{lire(journal)}"
            )
        duree = time.monotonic() - debut
        # La tâche acquitte sa ligne : l'outbox sait ce qui a réellement tourné.
        attendre(lambda: not suites.exclude(etat="executee").exists(), delai=30, pas=0.2)

    print(f"\nbroker vidé : {N} tâches de suite exécutées {duree:.1f} s après le dégel (republication après 3 s)")
    assert Relance.objects.filter(statut="a_envoyer").count() == 0
    assert not TacheSortante.objects.exclude(etat="executee").filter(nom="demandes.tasks.clore_relances").exists()
    # Rien ne reste à republier : un nouveau passage du relais n'envoie plus rien.
    assert taches.relayer() == 0


def test_une_tache_pas_encore_executee_mais_encore_dans_le_broker_n_est_pas_republiee(broker_prive, settings):
    settings.FDLS_OUTBOX_REPUBLICATION_S = 0
    with transaction.atomic():
        tache = taches.planifier("demandes.tasks.clore_relances", 123456)
    tache.refresh_from_db()
    assert tache.etat == "envoyee"
    time.sleep(0.1)
    # Aucun worker : le message attend dans la file, il n'est pas perdu, il n'est pas doublé.
    assert taches.relayer() == 0
    assert client_redis(broker_prive.url).llen("fdls") == 1
    # Le broker le perd : le relais le republie.
    client_redis(broker_prive.url).flushall()
    assert taches.relayer() == 1
    assert client_redis(broker_prive.url).llen("fdls") == 1
    tache.refresh_from_db()
    assert (tache.etat, tache.tentatives) == ("envoyee", 2)
