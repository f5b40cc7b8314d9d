"""Demandes de démonstration pour ``manage.py demo`` (générateur : ``demo.generateur``).

``manage.py demo`` seul complète le fichier jusqu'à 5 000 demandes actives
(quelques secondes) ; ``--demandes N`` jusqu'à N demandes actives, plus les
demandes closes des trois dernières années (satisfaites et annulées) en
proportion. La commande ne fait que compléter : si le fichier compte déjà au
moins N demandes actives, elle le dit et n'écrit rien ; sinon elle ajoute la
différence, à la suite des numéros et compteurs existants. ``--demandes 0``
n'en génère aucune.
"""

from demandes.models import Demande
from demo.generateur import Parametres, generer, resume

DEMANDES_PAR_DEFAUT = 5000


def ajouter_arguments(groupe):
    """Options des demandes, dans le groupe « demandes » de la commande (``demo.dossier`` y ajoute les siennes)."""
    groupe.add_argument(
        "--demandes",
        type=int,
        default=None,
        metavar="N",
        help=f"Nombre de demandes actives visé (défaut {DEMANDES_PAR_DEFAUT}) ; complète le fichier existant.",
    )
    groupe.add_argument("--graine", type=int, default=44, help="Graine du tirage aléatoire (défaut 44).")
    groupe.add_argument(
        "--part-doublons",
        type=float,
        default=0.01,
        help="Part des demandes actives qui sont des doublons semés (défaut 0,01).",
    )
    groupe.add_argument(
        "--taux-annulation",
        type=float,
        default=Parametres.taux_annulation,
        help="Demandes annulées par an, en part du stock actif (défaut 0,30).",
    )


def construire(options, stdout):
    """Complète le fichier jusqu'à ``--demandes`` demandes actives (labels et demandes en ligne : ``demo.dossier``)."""
    vise = options.get("demandes")
    vise = DEMANDES_PAR_DEFAUT if vise is None else vise
    actives = Demande.objects.filter(etat=Demande.Etat.ACTIVE).count()
    if vise <= 0:
        return
    if actives >= vise:
        stdout.write(f"Demandes : {actives} demandes actives déjà présentes (≥ {vise}), aucune ajoutée.")
        return
    a_ajouter = vise - actives
    stdout.write(f"Demandes : {actives} actives présentes, génération de {a_ajouter} demandes actives et des closes…")
    bilan = generer(
        Parametres(
            actives=a_ajouter,
            graine=options.get("graine") or 44,
            part_doublons=options.get("part_doublons", 0.01),
            taux_annulation=options.get("taux_annulation", Parametres.taux_annulation),
            # Séances et décisions de CAL : écrites par les services (``demo.commissions``), jamais fabriquées.
            evenements_cal=False,
            journal=stdout.write,
        )
    )
    stdout.write(f"Demandes : {resume(bilan)}.")
