from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "fdls.comptes"
    label = "comptes"
    verbose_name = "Comptes"
