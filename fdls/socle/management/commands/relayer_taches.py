from django.core.management.base import BaseCommand, CommandError

from fdls.socle import taches


class Command(BaseCommand):
    help = (
        "Relaie au broker les tâches Celery restées en attente dans l'outbox (broker arrêté au moment "
        "du commit). Sans --envoyer, affiche seulement ce qui serait envoyé."
    )

    def add_arguments(self, parser):
        parser.add_argument("--envoyer", action="store_true", help="envoie réellement les tâches au broker")
        parser.add_argument("--limite", type=int, default=500, help="nombre maximal de tâches traitées (500)")

    def handle(self, *args, envoyer, limite, **options):
        lignes = list(taches.en_attente(limite))
        if not lignes:
            self.stdout.write("Aucune tâche en attente d'envoi.")
            return
        for tache in lignes:
            erreur = f" — dernière erreur : {tache.derniere_erreur}" if tache.derniere_erreur else ""
            self.stdout.write(
                f"#{tache.pk} {tache.nom} args={tache.args} kwargs={tache.kwargs} "
                f"planifiée le {tache.created_at:%d/%m/%Y %H:%M:%S}, {tache.tentatives} tentative(s){erreur}"
            )
        if not envoyer:
            self.stdout.write(f"{len(lignes)} tâche(s) seraient envoyées. Relancez avec --envoyer pour les envoyer.")
            return
        envoyees = taches.relayer(limite)
        if envoyees < len(lignes):
            # Code de sortie non nul : une supervision (cron) voit l'échec.
            raise CommandError(f"{envoyees} tâche(s) envoyée(s) sur {len(lignes)} : le broker est-il joignable ?")
        self.stdout.write(self.style.SUCCESS(f"{envoyees} tâche(s) envoyée(s) au broker."))
