from django.apps import AppConfig
from django.db.models.signals import post_save


class PortailConfig(AppConfig):
    name = "portail"
    verbose_name = "Portail du demandeur"

    def ready(self):
        from demandes.dossier.models import Evenement
        from portail.courriels.services import evenement_ecrit

        # Un événement d'une demande rattachée à un compte : son courriel est planifié dans sa transaction.
        post_save.connect(evenement_ecrit, sender=Evenement, dispatch_uid="portail.courriels.evenement_ecrit")
