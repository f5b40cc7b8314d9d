from celery import shared_task
from django.core import management

from fdls.comptes import services


@shared_task(name="fdls.comptes.tasks.purger_sessions")
def purger_sessions():
    management.call_command("clearsessions")


@shared_task(name="fdls.comptes.tasks.envoyer_reinitialisation")
def envoyer_reinitialisation(email):
    """Lien de réinitialisation du mot de passe (planifié par ``services.demander_reinitialisation``)."""
    services.envoyer_reinitialisation(email)
