from celery import shared_task

from fdls.audit import services


@shared_task(name="fdls.audit.tasks.purger_consultations")
def purger_consultations():
    return services.purger_consultations()
