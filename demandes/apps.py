from django.apps import AppConfig


class DemandesConfig(AppConfig):
    name = "demandes"
    verbose_name = "Demandes de logement social"

    def ready(self):
        from demandes import compteurs
        from fdls.socle import compteurs as compteurs_accueil
        from fdls.socle import derivees_sql

        # Les pages d'accueil des agents (fdls.accueil) montrent ces compteurs sans importer les demandes.
        compteurs_accueil.enregistrer("accueil", compteurs.compteurs_accueil)
        compteurs_accueil.enregistrer("instruction", compteurs.compteurs_instruction)
        # File de travail de l'accueil : une entrée par clé, {libelle, aide, nombre, url, ordre}.
        compteurs_accueil.enregistrer("file", compteurs.file_de_travail)
        compteurs_accueil.enregistrer("favoris", compteurs.favoris_accueil)
        # Table de recherche de la liste (migration 0019) : recalculée une fois au bout d'un enregistrement.
        derivees_sql.enregistrer_rafraichissement("demandes_recherche_rafraichir")
