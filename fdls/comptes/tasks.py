from celery import shared_task
from django.core import management


@shared_task(name="fdls.comptes.tasks.purger_sessions")
def purger_sessions():
    management.call_command("clearsessions")
