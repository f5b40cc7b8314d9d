from celery import shared_task

from fdls.audit import services


@shared_task(name="fdls.audit.tasks.purger_consultations")
def purger_consultations():
    """Purge quotidienne du journal des consultations au-delà de la rétention (beat, 3 h 15)."""
    return services.purger_consultations()
