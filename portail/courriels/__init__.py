"""Courriels du demandeur : préférences, envoi idempotent (tâches Celery par l'outbox), événements notifiés."""
