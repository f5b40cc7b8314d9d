from django.apps import AppConfig


class CotationConfig(AppConfig):
    name = "cotation"
    verbose_name = "Cotation"

    def ready(self):
        from demandes.dossier.signaux import demande_changee

        from . import receveurs, services  # noqa: F401 (récepteurs : cache des grilles)

        demande_changee.connect(receveurs.recoter, dispatch_uid="cotation.recoter")
