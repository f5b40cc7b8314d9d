from django.apps import AppConfig


class SocleConfig(AppConfig):
    name = "fdls.socle"
    label = "socle"
    verbose_name = "Socle"
