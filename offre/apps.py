from django.apps import AppConfig


class OffreConfig(AppConfig):
    name = "offre"
    verbose_name = "Offre de logements"

    def ready(self):
        from fdls.socle import menu

        from .models import peut_importer

        # Lien « Importer un fichier de parc » de la rubrique Offre (fdls.accueil) : qui importe un parc.
        menu.enregistrer_condition("import_parc", peut_importer)
