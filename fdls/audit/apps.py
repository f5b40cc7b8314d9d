from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "fdls.audit"
    label = "audit"
    verbose_name = "Journal des consultations"
