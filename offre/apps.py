from django.apps import AppConfig


class OffreConfig(AppConfig):
    name = "offre"
    verbose_name = "Offre de logements"

    def ready(self):
        from fdls.socle import compteurs as compteurs_accueil
        from fdls.socle import menu
        from offre import compteurs

        from .models import peut_importer

        # File de travail de l'accueil (fdls.accueil) d'un bailleur : ses vacances sans candidat.
        compteurs_accueil.enregistrer("file", compteurs.file_de_travail)
        # Lien « Importer un fichier de parc » de la rubrique Offre (fdls.accueil) : qui importe un parc.
        menu.enregistrer_condition("import_parc", peut_importer)
