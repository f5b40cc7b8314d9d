from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "fdls.comptes"
    label = "comptes"
    verbose_name = "Comptes"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from fdls.comptes import middleware, services

        post_delete.connect(services.appareil_supprime, sender=TOTPDevice, dispatch_uid="comptes_appareil_supprime")
        user_logged_in.connect(middleware.noter_connexion, dispatch_uid="comptes_noter_connexion")
