"""Back-test de l'attente estimée (docs/cotation.md, « Attente estimée et back-test »).

Ajuste les courbes de Kaplan–Meier sur ce qu'on savait à une date de coupure
(demandes déposées avant, dans leur état d'alors), puis les compare à ce qui
s'est passé depuis. Lecture seule.
"""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from cotation.transparence import attentes
from fdls.socle.dates import ajouter_mois


def _pct(x) -> str:
    return "—" if x is None else f"{x:.1f} %".replace(".", ",")


class Command(BaseCommand):
    help = "Mesure sur le passé si la médiane d'attente estimée et sa bande à 80 % tiennent (lecture seule)."

    def add_arguments(self, parser):
        parser.add_argument("--mois", type=int, default=24, help="Coupure il y a N mois (24 par défaut).")
        parser.add_argument(
            "--coupure", type=date.fromisoformat, help="Date de coupure (AAAA-MM-JJ) ; remplace --mois."
        )
        parser.add_argument(
            "--annees", type=int, default=attentes.ANNEES, help="Fenêtre d'observation avant la coupure (années)."
        )
        parser.add_argument("--seuil", type=int, default=attentes.SEUIL_GROUPE, help="Demandes minimum par groupe.")
        parser.add_argument(
            "--cohorte", action="store_true", help="Sans troncature : seulement les demandes déposées dans la fenêtre."
        )
        parser.add_argument("--groupes", type=int, default=10, help="Nombre de groupes détaillés (les plus grands).")

    def handle(self, *args, mois, coupure, annees, seuil, cohorte, groupes, **options):
        le = timezone.localdate()
        coupure = coupure or ajouter_mois(le, -mois)
        b = attentes.backtest(coupure, le=le, annees=annees, seuil=seuil, troncature=not cohorte)
        ecrire = self.stdout.write
        methode = (
            "cohorte des demandes déposées dans la fenêtre"
            if cohorte
            else "demandes en attente dans la fenêtre (troncature à gauche)"
        )
        ecrire(
            f"Coupure au {coupure:%d/%m/%Y}, comparée au {le:%d/%m/%Y} ; fenêtre de {annees} an(s) avant la "
            f"coupure, {methode}, groupes d'au moins {seuil} demandes."
        )
        ecrire(
            f"Groupes : {b.groupes} retenus, {b.groupes_sans_estimation} sans estimation ; médiane réalisée dans la "
            f"bande à 80 % prédite : {b.groupes_dans_bande} ({_pct(b.part_dans_bande)}), sous la bande : "
            f"{b.groupes_sous_bande}, au-dessus : {b.groupes_au_dessus_bande}."
        )
        ecrire(
            f"Demandes actives à la coupure : {b.cohorte} ; sans prédiction {b.sans_prediction}, horizon pas encore "
            f"atteint {b.horizon_futur}, annulées avant l'horizon {b.annulees_avant} ; satisfaites avant la médiane "
            f"résiduelle prédite : {b.satisfaites_avant} sur {b.satisfaites_avant + b.pas_satisfaites} jugées "
            f"({_pct(b.part_satisfaites)} ; idéal 50 %) ; en comptant les annulations comme des échecs : "
            f"{_pct(b.part_satisfaites_brute)}."
        )
        ecrire(
            f"Demandes déposées dans les 6 mois avant la coupure : {b.nouvelles} ; jugeables à dépôt + médiane "
            f"{b.nouvelles_jugees}, satisfaites avant : {b.nouvelles_satisfaites_avant} ({_pct(b.part_nouvelles)})."
        )
        ecrire("Regroupements : " + ", ".join(f"{niveau} {n}" for niveau, n in sorted(b.niveaux.items())))
        for d in sorted(b.details, key=lambda d: -d["effectif"])[:groupes]:
            ecrire(
                f"  {d['groupe']} ({d['effectif']} demandes) : prédite {d['mediane']} [{d['bas']} ; {d['haut']}] mois, "
                f"réalisée {d['realisee'] if d['realisee'] is not None else 'plus de ' + str(d['suivi_realise'])} mois"
                f"{'' if d['dans_bande'] else ' — hors bande'}"
            )
