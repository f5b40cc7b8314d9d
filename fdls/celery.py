"""Application Celery : tâches planifiées et travaux lourds.

Les tâches ne sont jamais envoyées directement depuis une transaction : elles
passent par l'outbox PostgreSQL (``fdls.socle.taches.planifier``), relayée
après commit puis périodiquement, pour qu'un broker arrêté ne perde rien.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fdls.settings")

app = Celery("fdls")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["fdls.socle", "fdls.audit", "fdls.comptes"])
