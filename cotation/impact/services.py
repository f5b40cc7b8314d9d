"""Étude d'impact d'un projet de grille sur le fichier courant (seed 001 §5) : la CIL la lit avant d'adopter.

Rien n'est modifié : ni résultat de cotation, ni historique, ni demande. Les
demandes actives dont un choix de commune est dans l'EPCI de la
grille sont lues par paquets (clé croissante, ``calcul.paquets_sql.du_territoire``),
leurs faits chargés en cinq requêtes (``calcul.faits.charger``) et cotées deux fois en
mémoire : par la grille étudiée et par la grille comparée (celle en vigueur,
par défaut). Mémoire : deux tableaux ``int16`` des totaux (4 octets par
demande, pour la corrélation de rang et les 100 premières), le reste en
cumuls de taille fixe (ventilations par type de ménage, priorité, commune,
ancienneté).

Résultat (``EtudeImpact.resultats``, JSON) : nombre de demandes cotées,
combien gagnent, perdent ou restent inchangées et de combien (gain moyen,
perte moyenne, écarts par tranches), la corrélation de rang de Spearman
entre les deux classements, le nombre de demandes communes aux 100
premières des deux classements (à égalité de points, la demande la plus
ancienne — clé la plus petite — passe devant), et les ventilations.

``lancer`` crée l'étude et planifie la tâche ``cotation.tasks.etude_impact``
(outbox) ; ``executer`` (la tâche) est idempotente : une étude terminée
n'est pas refaite, une étude interrompue est reprise du début (lecture seule).
"""

from __future__ import annotations

import io
import time
from array import array
from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from cotation.calcul import faits as faits_mod
from cotation.calcul import paquets_sql
from cotation.calcul.models import Grille
from cotation.calcul.moteur import compiler, coter
from demandes.dossier import choix
from fdls.socle.dates import mois_entre
from fdls.socle.tableurs import ligne_xlsx
from fdls.socle.taches import planifier
from fdls.territoires.models import Commune

from .models import EtudeImpact

TAILLE_PAQUET = 5000
TOP = 100

# Tranches des écarts (points) : (min inclus, max inclus, libellé) ; None = sans borne.
TRANCHES_ECART = [
    (None, -20, "perd 20 points ou plus"),
    (-19, -10, "perd 10 à 19 points"),
    (-9, -5, "perd 5 à 9 points"),
    (-4, -1, "perd 1 à 4 points"),
    (0, 0, "inchangée"),
    (1, 4, "gagne 1 à 4 points"),
    (5, 9, "gagne 5 à 9 points"),
    (10, 19, "gagne 10 à 19 points"),
    (20, None, "gagne 20 points ou plus"),
]
# Ancienneté (mois depuis le dépôt initial) : (min inclus, max exclu, code, libellé).
TRANCHES_ANCIENNETE = [
    (0, 6, "moins-6", "moins de 6 mois"),
    (6, 18, "6-18", "6 à 18 mois"),
    (18, 36, "18-36", "18 à 36 mois"),
    (36, None, "36-plus", "36 mois et plus"),
]
PRIORITES = {
    "etat": "Priorité de l'État (label « CP »)",
    "locale": "Priorité locale (label « NM »), sans priorité de l'État",
    "aucune": "Aucune priorité",
}
VENTILATIONS = {
    "nature": "Type de ménage",
    "priorite": "Priorité",
    "commune": "Commune choisie (territoire)",
    "anciennete": "Ancienneté de la demande",
}


def categorie_priorite(labels) -> str:
    if any(code.startswith("cp-") for code in labels):
        return "etat"
    if any(code.startswith("nm-") for code in labels):
        return "locale"
    return "aucune"


def tranche_anciennete(depot: date | None, le: date) -> str:
    if depot is None:
        return TRANCHES_ANCIENNETE[0][2]
    mois = mois_entre(depot, le)
    for bas, haut, code, _libelle in TRANCHES_ANCIENNETE:
        if mois >= bas and (haut is None or mois < haut):
            return code
    return TRANCHES_ANCIENNETE[0][2]


def tranche_ecart(ecart: int) -> int:
    for i, (bas, haut, _libelle) in enumerate(TRANCHES_ECART):
        if (bas is None or ecart >= bas) and (haut is None or ecart <= haut):
            return i
    return 4


class Cumul:
    """Cumuls d'un groupe de demandes (taille fixe)."""

    __slots__ = ("demandes", "avant", "apres", "gagnent", "perdent")

    def __init__(self):
        self.demandes = self.avant = self.apres = self.gagnent = self.perdent = 0

    def ajouter(self, avant: int, apres: int) -> None:
        self.demandes += 1
        self.avant += avant
        self.apres += apres
        if apres > avant:
            self.gagnent += 1
        elif apres < avant:
            self.perdent += 1

    def en_json(self, cle: str, libelle: str) -> dict:
        n = self.demandes or 1
        return {
            "cle": cle,
            "libelle": libelle,
            "demandes": self.demandes,
            "moyenne_avant": round(self.avant / n, 1),
            "moyenne_apres": round(self.apres / n, 1),
            "part_gagnent": round(100 * self.gagnent / n, 1),
            "part_perdent": round(100 * self.perdent / n, 1),
            "gagnent": self.gagnent,
            "perdent": self.perdent,
        }


# Bibliothèques lourdes (numpy, scipy, openpyxl) chargées à l'usage (pyproject : banned-module-level-imports) :
# les écrans qui lancent une étude ou lisent ses résultats ne les chargent pas.


def _spearman(avant, apres) -> float | None:
    import numpy as np

    if len(avant) < 2:
        return None
    if np.array_equal(avant, apres):
        return 1.0
    if avant.min() == avant.max() or apres.min() == apres.max():
        return None  # un classement sans aucun écart : pas de corrélation de rang
    from scipy.stats import spearmanr

    return round(float(spearmanr(avant, apres).statistic), 4)


def _premiers(totaux, n: int):
    """Positions des ``n`` premiers (total décroissant, puis position croissante = clé la plus petite)."""
    import numpy as np

    ordre = np.lexsort((np.arange(len(totaux)), -totaux.astype(np.int32)))
    return set(ordre[:n].tolist())


def etudier(
    grille: Grille,
    reference: Grille,
    *,
    le: date | None = None,
    taille_paquet: int = TAILLE_PAQUET,
    progression=None,
) -> dict:
    """Cote les demandes actives du territoire avec les deux grilles, en mémoire ; ne modifie rien.

    ``progression(part)`` : appelée après chaque paquet (part du fichier parcourue, de 0 à 1).
    """
    import numpy as np

    if grille.epci_id != reference.epci_id:
        raise ValidationError("Les deux grilles comparées doivent être celles du même territoire.")
    le = le or timezone.localdate()
    debut = time.perf_counter()
    nouvelle, ancienne = compiler(grille), compiler(reference)
    epci = grille.epci_id
    totaux_avant, totaux_apres = array("h"), array("h")
    ventilations: dict[str, dict[str, Cumul]] = {nom: defaultdict(Cumul) for nom in VENTILATIONS}
    ecarts = [0] * len(TRANCHES_ECART)
    gain_total = perte_total = 0
    ecart_max = ecart_min = 0
    premier, dernier = paquets_sql.bornes_actives()
    for ids in paquets_sql.du_territoire(epci, taille_paquet):
        for f in faits_mod.charger(ids):
            commune = dict(f.territoires).get(epci)
            if commune is None:  # changé entre la sélection et la lecture
                continue
            avant = coter(f, ancienne, le).total
            apres = coter(f, nouvelle, le).total
            totaux_avant.append(avant)
            totaux_apres.append(apres)
            ecart = apres - avant
            ecarts[tranche_ecart(ecart)] += 1
            if ecart > 0:
                gain_total += ecart
            elif ecart < 0:
                perte_total -= ecart
            ecart_max, ecart_min = max(ecart_max, ecart), min(ecart_min, ecart)
            ventilations["nature"][f.nature or ""].ajouter(avant, apres)
            ventilations["priorite"][categorie_priorite(f.labels)].ajouter(avant, apres)
            ventilations["commune"][commune].ajouter(avant, apres)
            ventilations["anciennete"][tranche_anciennete(f.date_depot, le)].ajouter(avant, apres)
        if progression is not None and dernier > premier:
            progression(min(1.0, (ids[-1] - premier) / (dernier - premier)))

    a = np.frombuffer(totaux_avant, dtype=np.int16) if totaux_avant else np.zeros(0, dtype=np.int16)
    b = np.frombuffer(totaux_apres, dtype=np.int16) if totaux_apres else np.zeros(0, dtype=np.int16)
    n = len(a)
    gagnent = int((b > a).sum())
    perdent = int((b < a).sum())
    top = min(TOP, n)
    communs = len(_premiers(a, top) & _premiers(b, top)) if top else 0
    return {
        "version": 1,
        "le": le.isoformat(),
        "grille": {
            "id": grille.pk,
            "libelle": grille.libelle,
            "version": grille.version,
            "etat": grille.get_etat_display().lower(),
        },
        "reference": {
            "id": reference.pk,
            "libelle": reference.libelle,
            "version": reference.version,
            "etat": reference.get_etat_display().lower(),
        },
        "epci": epci,
        "demandes": n,
        "gagnent": gagnent,
        "perdent": perdent,
        "inchanges": n - gagnent - perdent,
        "gain_moyen": round(gain_total / gagnent, 1) if gagnent else None,
        "perte_moyenne": round(perte_total / perdent, 1) if perdent else None,
        "ecart_max": ecart_max,
        "ecart_min": ecart_min,
        "moyenne_avant": round(float(a.mean()), 1) if n else None,
        "moyenne_apres": round(float(b.mean()), 1) if n else None,
        "ecarts": [
            {"libelle": libelle, "demandes": ecarts[i], "part": round(100 * ecarts[i] / n, 1) if n else 0.0}
            for i, (_bas, _haut, libelle) in enumerate(TRANCHES_ECART)
        ],
        "spearman": _spearman(a, b),
        "top": top,
        "top_communs": communs,
        "ventilations": _ventilations_json(ventilations),
        "duree_s": round(time.perf_counter() - debut, 1),
    }


def _ventilations_json(ventilations) -> dict:
    natures = dict(choix.NatureDemande.choices)
    communes = dict(Commune.objects.filter(pk__in=list(ventilations["commune"])).values_list("pk", "nom"))
    libelles = {
        "nature": lambda c: natures.get(c, "Non renseigné"),
        "priorite": lambda c: PRIORITES[c],
        "commune": lambda c: communes.get(c, c or "Non renseignée"),
        "anciennete": lambda c: next(lib for _b, _h, code, lib in TRANCHES_ANCIENNETE if code == c),
    }
    ordres = {
        "nature": lambda cle: list(natures).index(cle) if cle in natures else 99,
        "priorite": lambda cle: list(PRIORITES).index(cle),
        "anciennete": lambda cle: [code for _b, _h, code, _l in TRANCHES_ANCIENNETE].index(cle),
    }
    resultat = {}
    for nom, cumuls in ventilations.items():
        lignes = [c.en_json(cle, libelles[nom](cle)) for cle, c in cumuls.items()]
        if nom == "commune":
            lignes.sort(key=lambda x: (-x["demandes"], x["libelle"]))
        else:
            lignes.sort(key=lambda x: ordres[nom](x["cle"]))
        resultat[nom] = lignes
    return resultat


# ---------------------------------------------------------------- vie d'une étude


def grilles_comparables(grille: Grille):
    """Les autres grilles du même territoire (la grille en vigueur d'abord)."""
    return Grille.objects.filter(epci=grille.epci_id).exclude(pk=grille.pk).order_by(_ordre_etat(), "-version")


def _ordre_etat():
    """En vigueur, programmée, archivée, brouillon."""
    return Case(
        When(etat=Grille.Etat.EN_VIGUEUR, then=Value(0)),
        When(etat=Grille.Etat.PROGRAMMEE, then=Value(1)),
        When(etat=Grille.Etat.ARCHIVEE, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


def lancer(grille: Grille, *, reference: Grille | None = None, user=None) -> EtudeImpact:
    """Crée l'étude et planifie son calcul (après le commit) ; par défaut, comparée à la grille en vigueur."""
    if reference is None:
        reference = Grille.objects.filter(epci=grille.epci_id, etat=Grille.Etat.EN_VIGUEUR).first()
    if reference is None:
        raise ValidationError("Aucune grille n'est en vigueur sur ce territoire : choisissez la grille à comparer.")
    if reference.pk == grille.pk:
        raise ValidationError("Choisissez une autre grille que celle étudiée.")
    if reference.epci_id != grille.epci_id:
        raise ValidationError("Les deux grilles comparées doivent être celles du même territoire.")
    with transaction.atomic():
        etude = EtudeImpact.objects.create(
            grille=grille, reference=reference, demandee_par=user if getattr(user, "pk", None) else None
        )
        planifier("cotation.tasks.etude_impact", etude.pk)
    return etude


def _progression(etude_id: int):
    dernier = [0.0]

    def noter(part: float) -> None:
        if part - dernier[0] < 0.02 and part < 1.0:
            return
        dernier[0] = part
        EtudeImpact.objects.filter(pk=etude_id).update(resultats={"progression": round(100 * part)})

    return noter


def executer(etude_id: int, *, taille_paquet: int = TAILLE_PAQUET) -> EtudeImpact | None:
    """Calcule l'étude (la tâche) ; idempotente : une étude terminée n'est pas refaite."""
    with transaction.atomic():
        etude = EtudeImpact.objects.select_for_update().select_related("grille", "reference").filter(pk=etude_id)
        etude = etude.first()
        if etude is None or etude.statut == EtudeImpact.Statut.TERMINEE:
            return etude
        etude.statut, etude.erreur, etude.resultats = EtudeImpact.Statut.EN_COURS, "", {"progression": 0}
        etude.save(update_fields=["statut", "erreur", "resultats"])
    try:
        resultats = etudier(
            etude.grille, etude.reference, taille_paquet=taille_paquet, progression=_progression(etude.pk)
        )
    except Exception as erreur:
        # Relancée par la tâche si l'erreur est passagère (fdls.celery.TacheFiable) : elle repart du début.
        EtudeImpact.objects.filter(pk=etude.pk).update(
            statut=EtudeImpact.Statut.ECHEC, erreur=str(erreur)[:2000], terminee_le=timezone.now()
        )
        raise
    etude.statut, etude.resultats, etude.terminee_le = EtudeImpact.Statut.TERMINEE, resultats, timezone.now()
    etude.save(update_fields=["statut", "resultats", "terminee_le"])
    return etude


# ---------------------------------------------------------------- classeur


COLONNES_VENTILATION = [
    ("libelle", "Groupe"),
    ("demandes", "Demandes"),
    ("moyenne_avant", "Total moyen avec la grille comparée"),
    ("moyenne_apres", "Total moyen avec la grille étudiée"),
    ("part_gagnent", "Part qui gagne des points (%)"),
    ("part_perdent", "Part qui perd des points (%)"),
]


def classeur(etude: EtudeImpact) -> bytes:
    """Classeur XLSX : une feuille de synthèse, une pour les écarts, une par ventilation."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    r = etude.resultats
    gras = Font(bold=True)
    wb = Workbook()
    synthese = wb.active
    synthese.title = "Synthèse"
    lignes = [
        ("Grille étudiée", f"{r['grille']['libelle']} (version {r['grille']['version']})"),
        ("Grille comparée", f"{r['reference']['libelle']} (version {r['reference']['version']})"),
        ("Fichier au", r["le"]),
        ("Demandes actives cotées", r["demandes"]),
        ("Gagnent des points", r["gagnent"]),
        ("Perdent des points", r["perdent"]),
        ("Inchangées", r["inchanges"]),
        ("Gain moyen (points, parmi celles qui gagnent)", r["gain_moyen"]),
        ("Perte moyenne (points, parmi celles qui perdent)", r["perte_moyenne"]),
        ("Total moyen avec la grille comparée", r["moyenne_avant"]),
        ("Total moyen avec la grille étudiée", r["moyenne_apres"]),
        ("Corrélation de rang (Spearman)", r["spearman"]),
        (f"Demandes communes aux {r['top']} premières des deux classements", r["top_communs"]),
        ("Durée du calcul (s)", r.get("duree_s")),
    ]
    for libelle, valeur in lignes:
        synthese.append(ligne_xlsx(synthese, [libelle, valeur]))
    for ligne in synthese.iter_rows(min_col=1, max_col=1):
        ligne[0].font = gras
    synthese.column_dimensions["A"].width = 60
    synthese.column_dimensions["B"].width = 50

    feuille = wb.create_sheet("Écarts")
    feuille.append(ligne_xlsx(feuille, ["Écart de points", "Demandes", "Part (%)"]))
    for e in r["ecarts"]:
        feuille.append(ligne_xlsx(feuille, [e["libelle"], e["demandes"], e["part"]]))
    _mettre_en_forme(feuille, gras)

    for nom, titre in VENTILATIONS.items():
        feuille = wb.create_sheet(titre[:31])
        feuille.append(ligne_xlsx(feuille, [libelle for _cle, libelle in COLONNES_VENTILATION]))
        for ligne in r["ventilations"].get(nom, []):
            feuille.append(ligne_xlsx(feuille, [ligne[cle] for cle, _libelle in COLONNES_VENTILATION]))
        _mettre_en_forme(feuille, gras)
    contenu = io.BytesIO()
    wb.save(contenu)
    return contenu.getvalue()


def _mettre_en_forme(feuille, gras) -> None:
    for cellule in feuille[1]:
        cellule.font = gras
    feuille.freeze_panes = "A2"
    feuille.column_dimensions["A"].width = 40
    for colonne in "BCDEF":
        feuille.column_dimensions[colonne].width = 22
