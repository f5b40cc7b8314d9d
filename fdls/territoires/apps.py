from django.apps import AppConfig


class TerritoiresConfig(AppConfig):
    name = "fdls.territoires"
    label = "territoires"
    verbose_name = "Territoires"
