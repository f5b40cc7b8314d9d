"""Configuration Celery et tâches périodiques : ce que l'exploitation suppose vrai."""

import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import InterfaceError, OperationalError
from django.utils.module_loading import import_string

from fdls.celery import TacheFiable, app
from fdls.socle.models import TacheSortante
from tests.fiabilite.serveurs import client_redis

BATTEMENT = "fdls.socle.tasks.battement"


@pytest.fixture(scope="module")
def taches_decouvertes():
    # Ce que fait le worker au démarrage : importer les modules tasks.py de chaque application.
    app.loader.import_default_modules()
    return app.tasks


def test_chaque_tache_periodique_existe_et_s_importe(taches_decouvertes):
    assert settings.CELERY_BEAT_SCHEDULE
    for entree, planification in settings.CELERY_BEAT_SCHEDULE.items():
        nom = planification["task"]
        assert nom in taches_decouvertes, f"{entree} : tâche {nom} introuvable par le worker"
        tache = import_string(nom)
        assert tache.name == nom, f"{entree} : le nom Celery de {nom} diffère de son chemin d'import"
        assert isinstance(taches_decouvertes[nom], TacheFiable), f"{nom} n'hérite pas de la politique commune"


def test_un_worker_qui_meurt_ne_perd_pas_sa_tache():
    """Accusé après exécution, rejet (donc nouvelle livraison) si le processus meurt, une tâche à la fois."""
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    # Le délai de visibilité Redis doit dépasser la plus longue tâche, sinon elle serait livrée deux fois.
    assert app.conf.broker_transport_options["visibility_timeout"] >= 3600


@pytest.mark.parametrize(
    "nom",
    [
        "fdls.socle.tasks.battement",
        "fdls.socle.tasks.relayer_taches_en_attente",
        "fdls.audit.tasks.purger_consultations",
    ],
)
def test_les_erreurs_passageres_sont_retentees_avec_un_delai_croissant(taches_decouvertes, nom):
    tache = taches_decouvertes[nom]
    assert tache.acks_late is True
    assert tache.reject_on_worker_lost is True
    for erreur in (OperationalError, InterfaceError, ConnectionError, TimeoutError):
        assert issubclass(erreur, tache.autoretry_for)
    assert not issubclass(ValueError, tache.autoretry_for)  # une erreur de programmation n'est pas relancée
    assert tache.retry_backoff
    assert tache.retry_jitter
    assert 0 < tache.max_retries <= 10
    assert tache.retry_backoff_max <= 600


def test_relayer_taches_sans_option_affiche_sans_envoyer(broker_prive, capsys):
    tache = TacheSortante.objects.create(nom=BATTEMENT, args=[1], derniere_erreur="ConnectionError: refus")

    call_command("relayer_taches")

    sortie = capsys.readouterr().out
    assert f"#{tache.pk} {BATTEMENT}" in sortie
    assert "dernière erreur : ConnectionError: refus" in sortie
    assert "--envoyer" in sortie
    tache.refresh_from_db()
    assert tache.etat == TacheSortante.Etat.EN_ATTENTE
    assert client_redis(broker_prive.url).llen("fdls") == 0


def test_relayer_taches_envoyer_publie_les_taches_en_attente(broker_prive, capsys):
    TacheSortante.objects.create(nom=BATTEMENT)
    TacheSortante.objects.create(nom=BATTEMENT)

    call_command("relayer_taches", "--envoyer")

    assert "2 tâche(s) envoyée(s) au broker" in capsys.readouterr().out
    assert not TacheSortante.objects.filter(etat=TacheSortante.Etat.EN_ATTENTE).exists()
    messages = client_redis(broker_prive.url).lrange("fdls", 0, -1)
    assert [json.loads(m)["headers"]["task"] for m in messages] == [BATTEMENT, BATTEMENT]


def test_relayer_taches_echoue_visiblement_si_le_broker_est_arrete(broker_prive):
    broker_prive.arreter()
    TacheSortante.objects.create(nom=BATTEMENT)

    with pytest.raises(CommandError, match="0 tâche\\(s\\) envoyée\\(s\\) sur 1"):
        call_command("relayer_taches", "--envoyer")
    assert TacheSortante.objects.get().etat == TacheSortante.Etat.EN_ATTENTE


def test_relayer_taches_sans_rien_en_attente(capsys):
    call_command("relayer_taches")
    assert "Aucune tâche en attente" in capsys.readouterr().out
