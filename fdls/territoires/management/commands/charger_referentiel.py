from django.core.management.base import BaseCommand

from fdls.territoires.services import charger_referentiel


class Command(BaseCommand):
    help = "Charge (ou met à jour) départements, EPCI, communes et quartiers QPV depuis fdls/referentiel/."

    def handle(self, *args, **options):
        compte = charger_referentiel()
        self.stdout.write(
            self.style.SUCCESS(
                "Référentiel chargé : {departements} départements, {epci} EPCI, "
                "{communes} communes, {quartiers} quartiers.".format(**compte)
            )
        )
