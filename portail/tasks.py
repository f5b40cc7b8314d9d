"""Tâches du portail (minces) : courriels du demandeur, planifiés par l'outbox ; noms écrits en toutes lettres."""

from celery import shared_task

from portail.chiffres import services as chiffres
from portail.compte import services as compte
from portail.courriels import services as courriels
from portail.rattachement import services as rattachement


@shared_task(name="portail.tasks.envoyer_verification")
def envoyer_verification(user_id):
    compte.envoyer_verification(user_id)


@shared_task(name="portail.tasks.envoyer_compte_existant")
def envoyer_compte_existant(user_id):
    compte.envoyer_compte_existant(user_id)


@shared_task(name="portail.tasks.envoyer_code_rattachement")
def envoyer_code_rattachement(code_id, code):
    rattachement.envoyer_code(code_id, code)


@shared_task(name="portail.tasks.notifier_evenement")
def notifier_evenement(evenement_id):
    courriels.notifier_evenement(evenement_id)


@shared_task(name="portail.tasks.rappeler_renouvellements")
def rappeler_renouvellements():
    courriels.rappeler_renouvellements()


@shared_task(name="portail.tasks.photographier_chiffres")
def photographier_chiffres():
    chiffres.photographier_tous()
