from django.apps import AppConfig


class InstructionConfig(AppConfig):
    name = "instruction"
    verbose_name = "Instruction et CALEOL"

    def ready(self):
        from demandes.editions import blocs

        from .propositions import selectors

        # La fiche de synthèse PDF (demandes) montre l'instruction sans importer l'instruction.
        blocs.enregistrer(selectors.instruction_de_demande)
