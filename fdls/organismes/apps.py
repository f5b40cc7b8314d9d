from django.apps import AppConfig


class OrganismesConfig(AppConfig):
    name = "fdls.organismes"
    label = "organismes"
    verbose_name = "Partenaires"
