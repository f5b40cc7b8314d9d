"""Application Celery : tâches planifiées et travaux lourds.

Les tâches ne sont jamais envoyées directement depuis une transaction : elles
passent par l'outbox PostgreSQL (``fdls.socle.taches.planifier``), relayée
après commit puis périodiquement, pour qu'un broker arrêté ne perde rien.

Toutes les tâches du projet héritent de ``TacheFiable`` (``task_cls``) : accusé
de réception après exécution, nouvelle livraison si le worker meurt, nouvelles
tentatives espacées sur les erreurs passagères (docs/reliability.md).
"""

import os

import redis.exceptions
from celery import Celery, Task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fdls.settings")

#: Erreurs passagères : base ou broker indisponible, délai réseau dépassé.
#: OperationalError couvre aussi les interblocages et conflits de sérialisation.
ERREURS_PASSAGERES = (
    OperationalError,
    InterfaceError,
    BrokerOperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
)


class TacheFiable(Task):
    """Politique commune des tâches FDLS (idempotentes par convention).

    Une tâche qui échoue sur une erreur passagère est relancée après 5 s,
    10 s, 20 s… (plafond 10 min, avec gigue), au plus 8 fois ; toute autre
    exception est une erreur de programmation et n'est pas relancée.
    """

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = ERREURS_PASSAGERES
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8


app = Celery("fdls", task_cls=TacheFiable)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["fdls.socle", "fdls.audit", "fdls.comptes"])
