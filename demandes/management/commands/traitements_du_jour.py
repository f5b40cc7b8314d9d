"""Traitements planifiés des demandes, lancés à la main (docs/architecture.md, section Tâches).

Sans option, affiche ce que feraient les traitements du jour et leur état ;
``--executer`` les lance (annulations, doublons, rappels, dans cet ordre),
exactement comme le beat. ``--relancer NUMERO`` envoie le rappel d'une demande.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demandes.dossier.models import Demande
from demandes.relances import traitements


def _date(valeur: str) -> date:
    try:
        return date.fromisoformat(valeur)
    except ValueError as exc:
        raise CommandError(f"Date invalide « {valeur} » : attendu AAAA-MM-JJ.") from exc


class Command(BaseCommand):
    help = "Annulation des demandes échues, doublons de nuit, rappels avant échéance (idempotents, reprenables)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Jour traité, AAAA-MM-JJ (aujourd'hui par défaut).")
        parser.add_argument(
            "--job", action="append", choices=traitements.JOBS, help="Un seul traitement (répétable ; tous par défaut)."
        )
        parser.add_argument("--executer", action="store_true", help="Lancer les traitements (sinon : aperçu).")
        parser.add_argument("--forcer", action="store_true", help="Refaire un traitement déjà terminé ce jour-là.")
        parser.add_argument("--relancer", metavar="NUMERO", help="Envoyer le rappel d'une demande (numéro unique).")
        parser.add_argument("--echeance", help="Avec --relancer : l'échéance visée (AAAA-MM-JJ), vérifiée.")

    def handle(self, *args, date=None, job=None, executer=False, forcer=False, relancer=None, echeance=None, **opts):
        jour = _date(date) if date else timezone.localdate()
        if relancer:
            self._relancer(relancer, _date(echeance) if echeance else None, jour)
            return
        if not executer:
            self._apercu(jour)
            return
        for resultat in traitements.traitements_du_jour(jour, jobs=job or traitements.JOBS, forcer=forcer):
            style = self.style.WARNING if resultat.statut == "deja_en_cours" else self.style.SUCCESS
            self.stdout.write(style(str(resultat)))

    def _apercu(self, jour):
        a = traitements.apercu(jour)
        self.stdout.write(f"Traitements du {jour:%d/%m/%Y} (aperçu : rien n'est fait sans --executer)")
        self.stdout.write(
            f"- annulations : {a['echues']} demande(s) active(s) échue(s) avant le {a['limite_annulation']:%d/%m/%Y}"
        )
        self.stdout.write(
            f"- radiations : {a['a_radier_sans_reponse']} demande(s) avertie(s) il y a un mois ou plus, "
            "sans réponse (CCH R441-2-8 c)"
        )
        self.stdout.write(f"- conservation : {a['a_purger']} demande(s) radiée(s) à purger")
        self.stdout.write(
            f"- rappels : {a['a_relancer']} demande(s) à échéance au plus tard le {a['horizon_relances']:%d/%m/%Y} "
            f"sans rappel ; {a['relances_en_attente']} rappel(s) en attente d'envoi"
        )
        for nom in traitements.JOBS:
            etat = a["etats"].get(nom)
            if etat is None:
                self.stdout.write(f"- {nom} : pas encore lancé ce jour")
            else:
                self.stdout.write(
                    f"- {nom} : {traitements.etat_affiche(etat)}, {etat.passages} passage(s), reprise après "
                    f"{etat.point_de_reprise}, compteurs {etat.compteurs}"
                    + (f", erreur : {etat.erreur}" if etat.erreur else "")
                )

    def _relancer(self, numero, echeance, jour):
        numero = numero.replace(" ", "")
        demande = Demande.objects.filter(numero_unique=numero).first()
        if demande is None:
            raise CommandError(f"Aucune demande n° {numero}.")
        try:
            relances = traitements.relancer_demande(demande, echeance=echeance, le=jour)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for r in relances:
            self.stdout.write(f"- {r.get_canal_display()} : {r.get_statut_display().lower()} {r.erreur}".rstrip())
