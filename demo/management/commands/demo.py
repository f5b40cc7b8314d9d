from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo import commissions, cotation, demandes, dossier, instruction, observatoire, offre, partenaires, portail
from instruction.rapprochement import tenue_sql


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration : référentiel, partenaires de Loire-Atlantique, "
        "guichets de Nantes Métropole et un compte par rôle, puis les demandes générées, le parc "
        "de Nantes Métropole, labels et demandes en ligne, et la cotation."
    )

    def add_arguments(self, parser):
        groupe = parser.add_argument_group("demandes")
        demandes.ajouter_arguments(groupe)
        dossier.ajouter_arguments(groupe)
        offre.ajouter_arguments(parser)

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "La démonstration est interdite en production : elle crée des comptes au mot de passe publié."
            )
        call_command("charger_referentiel", stdout=self.stdout)
        compte = partenaires.charger_partenaires()
        self.stdout.write(
            self.style.SUCCESS(
                "Partenaires : {organismes} organismes, {guichets} guichets, "
                "{comptes} comptes de démonstration.".format(**compte)
            )
        )
        # Ordre explicite : les demandes (et leur dossier) avant le parc, la cotation en dernier (elle lit
        # l'historique des demandes et pose ses labels d'instruction).
        demandes.construire(options, self.stdout)
        dossier.construire(options, self.stdout)
        offre.construire(options, self.stdout)
        cotation.construire(options, self.stdout)
        # Après la cotation : un refus (proposition, positionnement) la recalcule aussitôt (signal).
        instruction.construire(options, self.stdout)
        # Commissions d'attribution : séances, décisions a à e, refus, bail signé, vote (services des commissions).
        commissions.construire(options, self.stdout)
        # La table de rapprochement de l'instruction, réécrite par les étapes précédentes : statistiques à jour.
        tenue_sql.analyser()
        # Les comptes des demandeurs, rattachés à des demandes par le service du portail (code à usage unique).
        portail.construire(options, self.stdout)
        # En dernier : les photos figent le fichier tel que les étapes précédentes l'ont laissé.
        observatoire.construire(options, self.stdout)
