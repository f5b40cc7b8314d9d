from django.apps import AppConfig


class ObservatoireConfig(AppConfig):
    name = "observatoire"
    verbose_name = "Observatoire"

    def ready(self):
        from fdls.socle import compteurs as registre
        from observatoire.compteurs.selectors import compteurs_accueil

        # Carte « Activité » de l'accueil : le dernier jour compté (fdls n'importe pas l'observatoire).
        registre.enregistrer("accueil", compteurs_accueil)
