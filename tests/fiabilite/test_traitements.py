"""Exercices de fiabilité des traitements planifiés des demandes (docs/reliability.md, « Tâches planifiées »).

- chaque job lancé deux fois de suite par un vrai worker : même état final ;
- un vrai worker Celery tué (SIGKILL) au milieu d'un job, puis un autre
  worker : même état final, rien de perdu, rien en double ;
- le broker du test (son propre Valkey, port libre) arrêté pendant
  ``FDLS_EXERCICE_BROKER_S`` secondes (20 par défaut ; 60 pour l'exercice
  complet) : enregistrements et renouvellements commitent, leurs tâches de
  suite partent au retour du broker.

Transactions réelles (``transactional_db``) : le worker, autre processus,
lit et écrit la base de test.
"""

import os
import signal
import time
from datetime import date, timedelta

import psycopg
import pytest
from django.db import connection, transaction

from demandes.cycle import services
from demandes.models import Demande, Evenement, Relance, SmsJournal, TraitementPlanifie
from demandes.relances import traitements
from demandes.relances.envoi import SmsVersJournal
from fdls.celery import app
from fdls.socle.models import TacheSortante
from fdls.socle.taches import planifier, relayer
from tests.fiabilite.serveurs import attendre, client_redis, lire, url_postgres, worker_celery
from tests.monde.dossiers import dossier
from tests.monde.factories import AgentFactory, DemandeFactory, GuichetFactory
from tests.monde.fichiers import piece_identite

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.exercice]

JOUR = date(2026, 3, 2)
ECHEANCE = date(2026, 4, 2)
FILE = "fdls"


class SmsLent:
    """Backend SMS du test : le journal, mais 50 ms par SMS, pour laisser le temps de tuer le worker."""

    def envoyer(self, numero, texte, reference):
        time.sleep(0.05)
        return SmsVersJournal().envoyer(numero, texte, reference)


def _env(broker, tmp_path, **extra):
    return {
        "REDIS_URL": broker.url,
        "DATABASE_URL": url_postgres(connection.settings_dict),
        "FDLS_SMS_BACKEND": "tests.fiabilite.test_traitements.SmsLent",
        "FDLS_COURRIERS_DIR": str(tmp_path / "courriers"),
        **extra,
    }


def _demandes_a_relancer(n):
    guichet = GuichetFactory()
    return [
        DemandeFactory(
            guichet=guichet,
            canal="guichet",
            date_depot=date(2025, 4, 2),
            date_expiration=ECHEANCE,
            telephone=f"06 00 00 {i // 100:02d} {i % 100:02d}",
            adresse_numero=str(i),
            adresse_voie="rue des Lilas",
            code_postal="44000",
            ville="Nantes",
        )
        for i in range(n)
    ]


def _etat_final():
    return {
        "relances": sorted(Relance.objects.values_list("demande_id", "echeance", "canal", "statut")),
        "sms": SmsJournal.objects.count(),
        "demandes": sorted(Demande.objects.values_list("id", "etat", "date_fin")),
        "evenements": Evenement.objects.count(),
    }


def _lancer(nom, *args):
    with transaction.atomic():
        planifier(nom, *args)


def _attendre_statut(job, statut, journal, delai=90):
    try:
        attendre(
            lambda: TraitementPlanifie.objects.filter(job=job, jour=JOUR, statut=statut).exists(), delai=delai, pas=0.2
        )
    except TimeoutError:
        pytest.fail(f"{job} n'a pas atteint « {statut} » :\n{lire(journal)}")


def _journal_complet(journal) -> str:
    journal.flush()
    journal.seek(0)
    return journal.read()


def _restaurer_messages_non_acquittes(url) -> int:
    """Ce que fait kombu à l'expiration du délai de visibilité (1 h en production), sans attendre."""
    with app.connection_for_write(url, transport_options={"visibility_timeout": 0}) as conn:
        qos = conn.default_channel.qos
        avant = client_redis(url).zcard("unacked_index")
        qos.restore_visible(num=100)
        return avant


def test_chaque_job_lance_deux_fois_par_un_vrai_worker_meme_etat_final(broker_prive, tmp_path):
    _demandes_a_relancer(5)
    for i in range(1, 4):
        DemandeFactory(date_expiration=JOUR - timedelta(days=i))

    env = _env(broker_prive, tmp_path, FDLS_SMS_BACKEND="demandes.relances.envoi.SmsVersJournal")
    with worker_celery(env) as (_worker, journal):
        for nom in ("annuler_demandes_echues", "detecter_doublons_nuit", "envoyer_relances"):
            _lancer(f"demandes.tasks.{nom}", JOUR.isoformat())
        _attendre_statut("relances", "termine", journal)
        premier = _etat_final()
        for nom in ("annuler_demandes_echues", "detecter_doublons_nuit", "envoyer_relances"):
            _lancer(f"demandes.tasks.{nom}", JOUR.isoformat())
        attendre(lambda: _journal_complet(journal).count("déjà terminé") >= 3, delai=60, pas=0.2)

    assert _etat_final() == premier
    assert len(premier["relances"]) == 10  # 5 courriers + 5 SMS
    assert {r[3] for r in premier["relances"]} == {"envoyee"}
    assert premier["sms"] == 5
    assert Demande.objects.filter(etat="annulee", motif_annulation="non_renouvellement").count() == 3
    assert set(TraitementPlanifie.objects.values_list("job", "statut", "passages")) == {
        ("annulations", "termine", 1),
        ("detection_doublons", "termine", 1),
        ("relances", "termine", 1),
    }


def test_worker_tue_au_milieu_des_rappels_puis_relance(broker_prive, tmp_path):
    n = 60
    _demandes_a_relancer(n)
    env = _env(broker_prive, tmp_path)
    _lancer("demandes.tasks.envoyer_relances", JOUR.isoformat())

    debut = time.monotonic()
    with worker_celery(env) as (worker, journal):
        try:
            attendre(lambda: SmsJournal.objects.count() >= 15, delai=60, pas=0.02)
        except TimeoutError:
            pytest.fail(f"le worker n'a pas commencé les envois :\n{lire(journal)}")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    au_kill = {
        "sms": SmsJournal.objects.count(),
        "envoyees": Relance.objects.filter(statut="envoyee").count(),
        "en_cours": Relance.objects.filter(statut="en_cours").count(),
    }
    etat = TraitementPlanifie.objects.get(job="relances", jour=JOUR)
    assert etat.statut == "en_cours"  # le processus est mort sans rien pouvoir noter
    assert 15 <= au_kill["sms"] < n, au_kill
    # Le message n'a pas été acquitté : il est rendu à la file (expiration du délai de visibilité).
    assert client_redis(broker_prive.url).llen(FILE) == 0
    assert _restaurer_messages_non_acquittes(broker_prive.url) == 1
    assert client_redis(broker_prive.url).llen(FILE) == 1

    with worker_celery(env) as (_worker, journal):
        _attendre_statut("relances", "termine", journal)
    duree = time.monotonic() - debut

    etat.refresh_from_db()
    print(f"\nSIGKILL après {au_kill} ; reprise : {etat.compteurs}, {etat.passages} passages, {duree:.1f} s")
    assert etat.passages == 2
    assert Relance.objects.count() == 2 * n  # un courrier et un SMS par demande, jamais deux
    assert set(Relance.objects.values_list("statut", flat=True)) == {"envoyee"}
    # Rien en double chez le « fournisseur » : une ligne par référence (clé d'idempotence), une lettre par relance.
    assert SmsJournal.objects.count() == n
    lettres = list((tmp_path / "courriers" / ECHEANCE.isoformat()).glob("relance-*.pdf"))
    assert len(lettres) == n
    assert not list((tmp_path / "courriers").rglob("*.tmp"))
    # Une relance « en cours » au moment du SIGKILL a été reprise (au moins une fois).
    assert etat.compteurs["reprises"] == au_kill["en_cours"]
    assert client_redis(broker_prive.url).zcard("unacked_index") == 0


def test_worker_tue_au_milieu_des_annulations_puis_relance(broker_prive, tmp_path):
    n = traitements.PAQUET_ANNULATION + 30
    guichet = GuichetFactory()
    echues = [DemandeFactory(guichet=guichet, date_expiration=JOUR - timedelta(days=1 + i % 20)) for i in range(n)]
    ids = sorted(d.pk for d in echues)
    env = _env(broker_prive, tmp_path)
    _lancer("demandes.tasks.annuler_demandes_echues", JOUR.isoformat())

    # Une autre session tient une demande du deuxième paquet : le worker s'y arrête, le premier paquet validé.
    with psycopg.connect(url_postgres(connection.settings_dict)) as autre:
        autre.execute("SELECT 1 FROM demandes_demande WHERE id = %s FOR UPDATE", [ids[-15]])
        with worker_celery(env) as (worker, journal):
            try:
                attendre(
                    lambda: TraitementPlanifie.objects.filter(job="annulations", point_de_reprise__gt=0).exists(),
                    delai=60,
                    pas=0.05,
                )
            except TimeoutError:
                pytest.fail(f"le worker n'a pas commencé :\n{lire(journal)}")
            time.sleep(0.5)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)
        autre.rollback()

    etat = TraitementPlanifie.objects.get(job="annulations", jour=JOUR)
    assert etat.statut == "en_cours"
    assert etat.point_de_reprise == ids[traitements.PAQUET_ANNULATION - 1]
    assert Demande.objects.filter(etat="annulee").count() == traitements.PAQUET_ANNULATION  # le 2e paquet, annulé
    assert _restaurer_messages_non_acquittes(broker_prive.url) == 1

    with worker_celery(env) as (_worker, journal):
        _attendre_statut("annulations", "termine", journal)

    etat.refresh_from_db()
    assert etat.passages == 2
    assert Demande.objects.filter(etat="annulee", motif_annulation="non_renouvellement", date_fin=JOUR).count() == n
    # Une seule annulation automatique par demande, même pour celles du paquet interrompu.
    assert Evenement.objects.filter(type="annulation_automatique").count() == n
    assert etat.compteurs["annulees"] == n


def test_broker_arrete_enregistrements_et_renouvellements_commitent_les_suites_partent_au_retour(
    broker_prive, tmp_path
):
    duree_panne = float(os.environ.get("FDLS_EXERCICE_BROKER_S", "20"))
    guichet = GuichetFactory(code="10865")
    agent = AgentFactory(organisme=guichet.organisme)
    a_renouveler = _demandes_a_relancer(3)
    for d in a_renouveler:
        traitements.preparer_relances([d.pk])  # rappels écrits, pas encore partis

    broker_prive.arreter()
    debut = time.monotonic()
    mesures = []
    enregistrees = []
    i = 0
    while time.monotonic() - debut < duree_panne:
        t0 = time.monotonic()
        enregistrees.append(
            services.enregistrer_demande(
                dossier(communes=[guichet.commune], nom=f"PANNE{i}"),
                auteur=services.Auteur.agent(agent),
                guichet=guichet,
                piece_identite=piece_identite(),
            )
        )
        if i < len(a_renouveler):
            services.renouveler_demande(a_renouveler[i], auteur=services.Auteur.agent(agent))
        mesures.append(time.monotonic() - t0)
        i += 1
        time.sleep(0.5)
    assert relayer() == 0  # le relais du beat essaie : broker toujours absent
    suites = TacheSortante.objects.filter(nom="demandes.tasks.clore_relances")
    assert suites.count() == 3
    assert set(suites.values_list("etat", flat=True)) == {"en_attente"}
    assert Demande.objects.filter(pk__in=[d.pk for d in enregistrees], etat="active").count() == len(enregistrees)
    assert Relance.objects.filter(statut="a_envoyer").count() == 6

    broker_prive.demarrer()
    retour = time.monotonic()
    assert relayer() == 3
    with worker_celery(_env(broker_prive, tmp_path)) as (_worker, journal):
        try:
            attendre(lambda: Relance.objects.filter(statut="sans_objet").count() == 6, delai=60, pas=0.2)
        except TimeoutError:
            pytest.fail(f"les tâches de suite n'ont pas été exécutées :\n{lire(journal)}")
        executees = time.monotonic() - retour
    print(
        f"\nbroker arrêté {duree_panne:.0f} s : {len(enregistrees)} enregistrement(s) et 3 renouvellement(s) validés, "
        f"commit max {max(mesures):.3f} s, médiane {sorted(mesures)[len(mesures) // 2]:.3f} s ; "
        f"suites exécutées {executees:.1f} s après le retour du broker"
    )
    assert max(mesures[1:], default=0) < 1.0  # seule la première opération paie le délai de connexion (≤ 1 s)
    # Chaque tâche de suite a acquitté sa ligne de l'outbox en s'exécutant.
    attendre(lambda: set(suites.values_list("etat", flat=True)) == {"executee"}, delai=10, pas=0.2)
    assert not TacheSortante.objects.filter(etat="en_attente").exists()


def test_les_echeances_du_test_sont_dans_le_preavis():
    assert traitements.horizon_relances(JOUR) == ECHEANCE
