from django.apps import AppConfig


class CotationConfig(AppConfig):
    name = "cotation"
    verbose_name = "Cotation"
