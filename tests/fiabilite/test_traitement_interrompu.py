"""Exercice : un worker tué au milieu d'un job ne le bloque plus une heure (issue 16, point 3).

Un vrai worker envoie les rappels ; il est tué (SIGKILL). Son message n'est
pas acquitté : Redis ne le rendrait qu'à l'expiration du délai de visibilité
(1 h). Ici, sans rien restaurer dans le broker :

- l'écran de l'opérateur (``traitements_du_jour``) dit « interrompu », avec
  l'hôte et le pid du processus mort, et non « en cours » : le détenteur du
  verrou consultatif n'existe plus (``pg_locks``) ;
- la surveillance du beat (``demandes.tasks.reprendre_traitements_interrompus``,
  chaque minute) le constate, note le job « interrompu » et le replanifie par
  l'outbox ; un second worker le termine sans rien envoyer deux fois.
"""

import io
import os
import signal
import time
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from demandes.models import Relance, SmsJournal, TraitementPlanifie
from demandes.relances import traitements
from fdls.socle.models import TacheSortante
from fdls.socle.taches import planifier
from tests.fiabilite.serveurs import attendre, client_redis, lire, worker_celery
from tests.fiabilite.test_traitements import ECHEANCE, JOUR, _demandes_a_relancer, _env, _lancer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.exercice]


def _ecran() -> str:
    sortie = io.StringIO()
    call_command("traitements_du_jour", "--date", JOUR.isoformat(), stdout=sortie)
    return sortie.getvalue()


def test_worker_tue_le_job_est_vu_interrompu_et_repris_en_minutes_sans_attendre_le_broker(broker_prive, tmp_path):
    n = 60
    _demandes_a_relancer(n)
    env = _env(broker_prive, tmp_path)
    _lancer("demandes.tasks.envoyer_relances", JOUR.isoformat())

    with worker_celery(env) as (worker, journal):
        try:
            attendre(lambda: SmsJournal.objects.count() >= 15, delai=60, pas=0.02)
        except TimeoutError:
            pytest.fail(f"le worker n'a pas commencé les envois :\n{lire(journal)}")
        # Pendant l'envoi, l'écran dit « en cours », avec le processus qui le fait.
        pendant = _ecran()
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
        tue = time.monotonic()
    etat = TraitementPlanifie.objects.get(job="relances", jour=JOUR)
    assert "relances : en cours" in pendant
    assert f"pid {etat.pid}" in pendant

    # Le processus est mort : l'écran le dit (PostgreSQL a rendu son verrou avec la connexion).
    attendre(lambda: not traitements.verrou_tenu_ailleurs("relances"), delai=10, pas=0.05)
    apres = _ecran()
    assert "relances : en cours" not in apres
    assert "relances : interrompu" in apres
    assert f"pid {etat.pid}" in apres
    # Le message du job est resté « réservé » dans Redis : rien ne le rendra avant une heure.
    assert client_redis(broker_prive.url).llen("fdls") == 0
    assert client_redis(broker_prive.url).zcard("unacked_index") == 1

    with worker_celery(env) as (_worker, journal):
        # Passage de la surveillance (beat, chaque minute) : le job est replanifié, un autre worker le termine.
        with transaction.atomic():
            planifier("demandes.tasks.reprendre_traitements_interrompus")
        try:
            attendre(
                lambda: TraitementPlanifie.objects.filter(job="relances", jour=JOUR, statut="termine").exists(),
                delai=90,
                pas=0.2,
            )
        except TimeoutError:
            pytest.fail(f"le job n'a pas été repris :\n{lire(journal)}\n{_ecran()}")
        reprise = time.monotonic() - tue

    etat.refresh_from_db()
    print(f"\nworker tué : job repris et terminé {reprise:.1f} s après le SIGKILL (hors attente du beat, ≤ 60 s)")
    assert etat.passages == 2
    assert Relance.objects.count() == 2 * n
    assert set(Relance.objects.values_list("statut", flat=True)) == {"envoyee"}
    assert SmsJournal.objects.count() == n
    assert len(list((tmp_path / "courriers" / ECHEANCE.isoformat()).glob("relance-*.pdf"))) == n
    assert "relances : terminé" in _ecran()


def test_la_surveillance_ne_touche_pas_a_un_job_vivant_ni_a_un_job_termine(broker_prive):
    maintenant = timezone.now()
    vivant = TraitementPlanifie.objects.create(
        job="relances", jour=JOUR, statut="en_cours", pid=1, dernier_demarrage=maintenant
    )
    TraitementPlanifie.objects.create(job="annulations", jour=JOUR, statut="termine", dernier_demarrage=maintenant)
    # Mort il y a trois jours : laissé à l'opérateur (l'écran le dit interrompu).
    TraitementPlanifie.objects.create(
        job="relances", jour=date(2026, 2, 27), statut="en_cours", dernier_demarrage=maintenant - timedelta(days=3)
    )
    with traitements.verrou_job("relances") as obtenu:
        assert obtenu
        assert traitements.reprendre_interrompus() == []
    vivant.refresh_from_db()
    assert vivant.statut == "en_cours"
    # Sans détenteur du verrou, le même job est interrompu et replanifié par l'outbox.
    assert traitements.reprendre_interrompus() == [("relances", JOUR)]
    assert TacheSortante.objects.filter(nom="demandes.tasks.envoyer_relances", args=[JOUR.isoformat()]).count() == 1
    vivant.refresh_from_db()
    assert vivant.statut == "interrompu"
    assert "pid 1" in vivant.erreur
