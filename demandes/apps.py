from django.apps import AppConfig


class DemandesConfig(AppConfig):
    name = "demandes"
    verbose_name = "Demandes de logement social"

    def ready(self):
        from demandes import compteurs
        from fdls.socle import compteurs as compteurs_accueil

        # Les pages d'accueil des agents (fdls.accueil) montrent ces compteurs sans importer les demandes.
        compteurs_accueil.enregistrer("accueil", compteurs.compteurs_accueil)
        compteurs_accueil.enregistrer("instruction", compteurs.compteurs_instruction)
        # File de travail de l'accueil : une entrée par clé, {libelle, aide, nombre, url, ordre}.
        compteurs_accueil.enregistrer("file", compteurs.file_de_travail)
        compteurs_accueil.enregistrer("favoris", compteurs.favoris_accueil)
