from django.apps import AppConfig


class InstructionConfig(AppConfig):
    name = "instruction"
    verbose_name = "Instruction et CALEOL"

    def ready(self):
        from demandes.editions import blocs
        from fdls import acces
        from fdls.socle import derivees_sql, menu
        from offre.models import gere_offre

        from .commissions import selectors as commissions
        from .propositions import selectors

        # La fiche de synthèse PDF (demandes) montre l'instruction sans importer l'instruction.
        blocs.enregistrer(selectors.instruction_de_demande)
        blocs.enregistrer(commissions.commissions_de_demande)

        # Menu principal : « Instruction » et « Commissions » pour les agents qui instruisent (bailleurs,
        # réservataires), lus par fdls.accueil.menu sans importer l'instruction.
        def instruit(user) -> bool:
            return acces.voit_nominatif(user) and (gere_offre(user) or user.a_role("reservataire"))

        menu.enregistrer_condition("instruction", instruit)
        menu.enregistrer_condition("commissions", instruit)
        # Table de rapprochement : recalculée une fois au bout d'un enregistrement (fdls.socle.derivees_sql).
        derivees_sql.enregistrer_rafraichissement("instruction_candidats_rafraichir")
