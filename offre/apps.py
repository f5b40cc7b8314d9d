from django.apps import AppConfig


class OffreConfig(AppConfig):
    name = "offre"
    verbose_name = "Offre de logements"

    def ready(self):
        from fdls.socle import compteurs as compteurs_accueil
        from offre import compteurs

        # File de travail de l'accueil (fdls.accueil) d'un bailleur : ses vacances sans candidat.
        compteurs_accueil.enregistrer("file", compteurs.file_de_travail)
