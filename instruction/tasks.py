"""Tâches Celery de l'instruction (minces : elles appellent les services des fonctionnalités).

Les noms (``instruction.tasks.*``) sont ceux du beat (``CELERY_BEAT_SCHEDULE``) : ils ne changent pas
quand le code se range autrement.
"""

from celery import shared_task

from instruction.commissions import services as commissions
from instruction.propositions import services as propositions


@shared_task(name="instruction.tasks.constater_non_reponses", acks_late=True)
def constater_non_reponses() -> dict:
    """Chaque nuit : les propositions envoyées dont la date limite est passée deviennent « sans réponse »."""
    bilan = propositions.constater_non_reponses_echues()
    return {"constatees": bilan.constatees, "deja_traitees": bilan.deja_traitees}


@shared_task(name="instruction.tasks.constater_caducites", acks_late=True)
def constater_caducites() -> dict:
    """Chaque nuit : les attributions sous condition suspensive dont le délai est passé sans la pièce tombent."""
    bilan = commissions.constater_caducites_echues()
    return {"constatees": bilan.constatees, "deja_traitees": bilan.deja_traitees}
