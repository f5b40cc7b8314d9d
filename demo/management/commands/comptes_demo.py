import base64

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.partenaires import COMPTES_DEMO, MOT_DE_PASSE_DEMO
from demo.portail import COMPTES_DEMANDEURS


class Command(BaseCommand):
    help = (
        "Affiche les comptes de démonstration, leur mot de passe et la clé TOTP de chacun (bannière du lanceur ; "
        "développement uniquement)."
    )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Commande interdite en production : les comptes de démonstration n'y existent pas.")
        cles = {
            appareil.user.email: base64.b32encode(appareil.bin_key).decode()
            for appareil in TOTPDevice.objects.filter(
                user__email__in=[email for email, *_ in COMPTES_DEMO], confirmed=True
            ).select_related("user")
        }
        self.stdout.write(f"  Mot de passe de tous les comptes de démonstration : {MOT_DE_PASSE_DEMO}")
        self.stdout.write("  Second facteur (TOTP) : une clé par compte, tirée au hasard dans cette base ;")
        self.stdout.write("  → code du moment : make code-totp EMAIL=<adresse>")
        self.stdout.write("")
        for email, _prenom, _nom, organisme, roles, _ in COMPTES_DEMO:
            libelles = ", ".join(role.label for role in roles)
            self.stdout.write(f"  {email:<30} {libelles} – {organisme}")
            if email in cles:
                self.stdout.write(f"  {'':<30} clé TOTP {cles[email]}")
        self.stdout.write("")
        self.stdout.write("  Demandeurs (portail /portail/connexion/, sans second facteur) :")
        for email, _prenom, _nom, description in COMPTES_DEMANDEURS:
            self.stdout.write(f"  {email:<38} {description}")
