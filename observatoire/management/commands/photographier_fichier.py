from datetime import date

from django.core.management.base import BaseCommand, CommandError

from observatoire.photos.services import photographier_fichier


class Command(BaseCommand):
    help = "Prend la photo du fichier au 1er du mois (celui d'aujourd'hui par défaut) ; ne refait rien si elle existe."

    def add_arguments(self, parser):
        parser.add_argument("--mois", help="Mois de la photo, AAAA-MM (reconstituée s'il est passé).")

    def handle(self, *args, mois=None, **options):
        try:
            jour = date.fromisoformat(f"{mois}-01") if mois else None
            resultat = photographier_fichier(jour)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        photo = resultat.photo
        etat = "prise" if resultat.prise else "déjà prise (inchangée)"
        self.stdout.write(
            f"Photo du {photo.mois:%d/%m/%Y} {etat} : {photo.nb_demandes} demandes en cours, "
            f"{photo.nb_attributions} attributions, {photo.nb_logements} logements ({photo.duree_s} s)."
        )
