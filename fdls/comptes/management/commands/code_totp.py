from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Affiche le code TOTP courant d'un compte (démonstration et développement uniquement)."

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", default="guichet@demo.fdls.fr")

    def handle(self, *args, email, **options):
        if settings.PRODUCTION:
            raise CommandError("Commande interdite en production : le second facteur doit rester personnel.")
        appareil = TOTPDevice.objects.filter(user__email__iexact=email, confirmed=True).first()
        if appareil is None:
            raise CommandError(f"Aucun second facteur actif pour {email}.")
        code = totp(appareil.bin_key, step=appareil.step, t0=appareil.t0, digits=appareil.digits, drift=appareil.drift)
        self.stdout.write(f"{code:0{appareil.digits}d}")
