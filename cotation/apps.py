from django.apps import AppConfig


class CotationConfig(AppConfig):
    name = "cotation"
    verbose_name = "Cotation"

    def ready(self):
        from demandes.dossier.signaux import demande_changee

        # ``receveurs`` charge ``calcul.services`` : son cache des grilles s'abonne aux écritures des grilles.
        from .calcul import receveurs

        demande_changee.connect(receveurs.recoter, dispatch_uid="cotation.recoter")

        from fdls.socle import menu

        from . import acces

        # Rubrique « Cotation » du menu principal (fdls.accueil.menu) : qui gère des grilles.
        menu.enregistrer_condition("cotation", acces.peut_gerer_grilles)
