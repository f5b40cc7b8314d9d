from django.core.management.base import BaseCommand

from demo.partenaires import CLE_TOTP_DEMO, COMPTES_DEMO, MOT_DE_PASSE_DEMO


class Command(BaseCommand):
    help = "Affiche les comptes de démonstration, leur mot de passe et la clé TOTP (bannière du lanceur)."

    def handle(self, *args, **options):
        self.stdout.write(f"  Mot de passe de tous les comptes de démonstration : {MOT_DE_PASSE_DEMO}")
        self.stdout.write(f"  Second facteur (TOTP) : clé {CLE_TOTP_DEMO}")
        self.stdout.write("  → code du moment : .venv/bin/python manage.py code_totp")
        self.stdout.write("")
        for email, _prenom, _nom, organisme, roles, _ in COMPTES_DEMO:
            libelles = ", ".join(role.label for role in roles)
            self.stdout.write(f"  {email:<30} {libelles} – {organisme}")
