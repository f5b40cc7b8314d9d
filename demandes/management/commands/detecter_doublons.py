"""Détection nocturne des doublons sur tout le fichier actif (docs/doublons.md).

La tâche Celery planifiée appelle le même service ; cette commande sert au
lancement manuel, à la reprise après interruption et aux mesures.
"""

from django.core.management.base import BaseCommand

from demandes.doublons import services as doublons


class Command(BaseCommand):
    help = "Cherche les doublons suspectés parmi les demandes actives (par lots, idempotent, reprenable)."

    def add_arguments(self, parser):
        parser.add_argument("--depuis", type=int, default=0, help="Identifiant de demande après lequel commencer.")
        parser.add_argument(
            "--reprendre", action="store_true", help="Repartir du dernier lot validé d'un passage interrompu."
        )
        parser.add_argument("--taille-lot", type=int, default=5000, help="Demandes par lot (5000 par défaut).")
        parser.add_argument("--seuil", type=int, default=doublons.SEUIL, help="Score minimum (0–100).")

    def handle(self, *args, depuis, reprendre, taille_lot, seuil, **options):
        if reprendre:
            depuis = max(depuis, doublons.point_de_reprise())
        if depuis:
            self.stdout.write(f"Reprise après la demande {depuis}.")
        compteurs = doublons.detecter_doublons_fichier(depuis_id=depuis, taille_lot=taille_lot, seuil=seuil)
        self.stdout.write(
            self.style.SUCCESS(
                f"{compteurs['lots']} lot(s), {compteurs['paires_examinees']} paire(s) examinée(s), "
                f"{compteurs['suspicions_creees']} suspicion(s) créée(s) en {compteurs['duree_s']} s "
                f"(dernière demande : {compteurs['dernier_id']})."
            )
        )
