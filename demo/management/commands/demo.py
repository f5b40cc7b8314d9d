from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules

from fdls.socle import demo


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration : référentiel, partenaires de Loire-Atlantique, "
        "guichets de Nantes Métropole et un compte par rôle. Chaque application peut "
        "l'étendre par un module demo.py exposant ajouter_arguments(parser) et construire(options, stdout)."
    )

    def add_arguments(self, parser):
        self._extensions = _extensions()
        for extension in self._extensions:
            if hasattr(extension, "ajouter_arguments"):
                extension.ajouter_arguments(parser)

    def handle(self, *args, **options):
        call_command("charger_referentiel", stdout=self.stdout)
        compte = demo.charger_partenaires()
        self.stdout.write(
            self.style.SUCCESS(
                "Partenaires : {organismes} organismes, {guichets} guichets, "
                "{comptes} comptes de démonstration.".format(**compte)
            )
        )
        for extension in getattr(self, "_extensions", None) or _extensions():
            extension.construire(options, self.stdout)


def _extensions():
    """Modules ``<app>.demo`` des applications métier (hors socle)."""
    import sys

    autodiscover_modules("demo")
    return [
        module
        for nom, module in list(sys.modules.items())
        if nom.endswith(".demo") and nom != "fdls.socle.demo" and hasattr(module, "construire")
    ]
