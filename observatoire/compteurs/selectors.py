"""Lectures des compteurs d'activité : accueil (le dernier jour compté) et tableau sur une période."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Sum
from django.urls import reverse

from demandes.dossier.choix import MotifAnnulation
from fdls import acces
from observatoire.compteurs.models import STOCKS, CompteurActivite, Indicateur, JourCompte
from observatoire.croisement.grille import Grille

#: Stocks et flux montrés sur l'accueil (le dernier jour compté) : le fichier, ce qui attend une réponse du
#: demandeur ou son bail, et les entrées et sorties du jour.
STOCKS_ACCUEIL = (Indicateur.ACTIVES, Indicateur.PROPOSITIONS_EN_COURS, Indicateur.ATTRIBUEES_EN_INSTANCE)
FLUX_ACCUEIL = (
    Indicateur.ENREGISTREES,
    Indicateur.RENOUVELEES,
    Indicateur.NON_RENOUVELEES,
    Indicateur.ANNULEES,
    Indicateur.ATTRIBUEES,
)

#: Notes des tableaux : ce que comptent les stocks qui ne se lisent pas d'eux-mêmes.
NOTES_STOCKS = [
    "Stocks : en fin de journée. Demandes satisfaites : bail signé dans les douze mois qui finissent ce jour-là.",
    "Demandes validées : décision favorable de la commission sans encore de réponse du demandeur ; attribuées en "
    "instance : acceptées par le demandeur, bail pas encore signé (par bailleur de la commission).",
]


def dernier_jour() -> date | None:
    return JourCompte.objects.order_by("-jour").values_list("jour", flat=True).first()


def compteurs_accueil(user) -> dict:
    """Carte « Activité » de l'accueil : flux du dernier jour compté et stock des actives, pour l'organisme de
    l'agent et tout le fichier (rien pour un rôle sans statistiques)."""
    if not acces.voit_statistiques(user):
        return {}
    jour = dernier_jour()
    if jour is None:
        return {}
    valeurs = defaultdict(lambda: [0, 0])
    for organisme, indicateur, valeur in CompteurActivite.objects.filter(
        jour=jour, indicateur__in=[*STOCKS_ACCUEIL, *FLUX_ACCUEIL]
    ).values_list("organisme_id", "indicateur", "valeur"):
        valeurs[indicateur][1] += valeur
        if organisme == user.organisme_id:
            valeurs[indicateur][0] += valeur
    return {
        "activite": {
            "jour": jour,
            "lignes": [
                {"libelle": Indicateur(code).label, "organisme": valeurs[code][0], "fichier": valeurs[code][1]}
                for code in [*STOCKS_ACCUEIL, *FLUX_ACCUEIL]
            ],
            "url": reverse("observatoire:compteurs"),
        }
    }


def serie(indicateur: str, du: date, au: date, organisme_id: int | None) -> Grille:
    """Par jour : l'organisme, les autres organismes, le total général (seed 004, « Demandes actives »)."""
    par_jour = defaultdict(lambda: [0, 0])
    for jour, organisme, valeur in (
        CompteurActivite.objects.filter(indicateur=indicateur, jour__range=(du, au))
        .values("jour", "organisme_id")
        .annotate(v=Sum("valeur"))
        .values_list("jour", "organisme_id", "v")
    ):
        par_jour[jour][0 if organisme_id is not None and organisme == organisme_id else 1] += valeur
    comptes = set(JourCompte.objects.filter(jour__range=(du, au)).values_list("jour", flat=True))
    lignes = []
    jour = du
    while jour <= au:
        if jour in comptes:
            mien, autres = par_jour[jour]
            lignes.append((f"{jour:%d/%m/%Y}", [mien, autres, mien + autres]))
        else:
            lignes.append((f"{jour:%d/%m/%Y}", [None, None, None]))
        jour += timedelta(days=1)
    total = None
    if indicateur not in STOCKS:
        total = ("Total de la période", [sum(v[i] or 0 for _, v in lignes) for i in range(3)])
    return Grille(
        titre=f"{Indicateur(indicateur).label} par jour, du {du:%d/%m/%Y} au {au:%d/%m/%Y}",
        entetes=["Jour", "Mon organisme", "Autres organismes", "Total général"],
        lignes=lignes,
        total=total,
        notes=[
            "« – » : jour pas encore compté (le job de nuit compte la veille).",
            *(NOTES_STOCKS if indicateur in STOCKS else []),
        ],
    )


def periode(du: date, au: date, organisme_id: int | None) -> Grille:
    """Chaque stock en fin de période (dernier jour compté), chaque flux sur la période (les annulations par motif),
    dans l'ordre du seed ; les non-renouvellements ont leur ligne, hors des annulations."""
    lignes = []
    qs = CompteurActivite.objects.filter(jour__range=(du, au))
    sommes = defaultdict(lambda: [0, 0])
    for indicateur, motif, organisme, valeur in qs.exclude(indicateur__in=STOCKS).values_list(
        "indicateur", "motif", "organisme_id", "valeur"
    ):
        for cle in {(indicateur, ""), (indicateur, motif)}:
            sommes[cle][1] += valeur
            if organisme_id is not None and organisme == organisme_id:
                sommes[cle][0] += valeur
    fin = qs.filter(indicateur__in=STOCKS).order_by("-jour").values_list("jour", flat=True).first()
    for indicateur, organisme, valeur in qs.filter(jour=fin, indicateur__in=STOCKS).values_list(
        "indicateur", "organisme_id", "valeur"
    ):
        sommes[(indicateur, "")][1] += valeur
        if organisme_id is not None and organisme == organisme_id:
            sommes[(indicateur, "")][0] += valeur
    for code, libelle in Indicateur.choices:
        mien, tous = sommes.get((code, ""), (0, 0))
        suffixe = f" (au {fin:%d/%m/%Y})" if code in STOCKS and fin else ""
        lignes.append((f"{libelle}{suffixe}", [mien, tous]))
        if code == Indicateur.ANNULEES:
            motifs = sorted(m for (c, m) in sommes if c == code and m)
            for m in motifs:
                mien_m, tous_m = sommes[(code, m)]
                lignes.append((f"   dont {libelle_motif(m)}", [mien_m, tous_m]))
    return Grille(
        titre=f"Activité du {du:%d/%m/%Y} au {au:%d/%m/%Y}",
        entetes=["Indicateur", "Mon organisme", "Tout le fichier"],
        lignes=lignes,
        notes=NOTES_STOCKS,
    )


def libelle_motif(code: str) -> str:
    return str(MotifAnnulation(code).label).lower() if code in MotifAnnulation.values else code
