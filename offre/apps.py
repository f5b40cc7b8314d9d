from django.apps import AppConfig


class OffreConfig(AppConfig):
    name = "offre"
    verbose_name = "Offre de logements"
