"""Bilans chiffrés : l'annuel N-1 (janvier, photo du 1er janvier N) et celui du 1er semestre (juillet, photo du
1er juillet N), en PDF (tableaux et graphiques SVG) et en classeur XLSX ; fiches territoriales d'une commune.

Destinés aux partenaires du fichier (seed 000 : « Destinataires : partenaires des FDLS ») : pas de secret
statistique ; rien de nominatif (tout vient des photos).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from fdls.socle.pdf import rendre_pdf
from observatoire.bilans.models import Bilan, TypeBilan
from observatoire.croisement.grille import Grille, Territoire
from observatoire.croisement.tableau import TOTAL, croiser
from observatoire.graphiques import svg
from observatoire.photos.models import Photo
from observatoire.tableaux import indicateurs, selectors
from observatoire.tableurs.ecriture import ecrire_classeur

DOSSIER = "observatoire/bilans"


@dataclass
class Contenu:
    titre: str
    photo: Photo
    annee: int
    territoire: Territoire
    grilles: list[Grille]
    graphiques: list[svg.Graphique]
    par_epci: list
    par_bailleur: list


def _graphique_typologies(titre: str, source: str, photo, filtres: dict) -> svg.Graphique:
    tableau = croiser(source, photo, ligne=None, colonne="typologie", filtres=filtres)
    return svg.barres(titre, [(libelle, tableau.valeur(TOTAL, code)) for code, libelle in tableau.colonnes])


def contenu(photo: Photo, annee: int, titre: str, territoire: Territoire | None = None) -> Contenu:
    t = territoire or Territoire()
    grilles: list[Grille] = []
    for code in ("chiffres-cles", "mutations", "pression", "anciennete", "delais", "prioritaires"):
        grilles += selectors.TABLEAUX[code].fonction(photo, t, annee)
    f_autres = t.filtres(quartier=False)
    anciennete = croiser("demandes", photo, ligne="tranche_anciennete", filtres=t.filtres())
    graphiques = [
        _graphique_typologies(
            f"Demandes en cours par typologie au {photo.mois:%d/%m/%Y}", "demandes", photo, t.filtres()
        ),
        _graphique_typologies(
            f"Attributions {annee} par typologie", "attributions", photo, {**f_autres, "annee": annee}
        ),
        svg.barres(
            "Demandes en cours par ancienneté",
            [(libelle, anciennete.valeur(code, TOTAL)) for code, libelle in anciennete.lignes],
        ),
    ]
    par_epci = indicateurs.indicateurs_legaux(photo, annee, par="epci", filtres=f_autres)
    ensemble = par_epci[-1]
    graphiques.append(
        svg.barres(
            f"Indicateurs légaux {annee} : taux atteints (%)",
            [(i.libelle_court, i.taux) for i in ensemble.indicateurs],
        )
    )
    return Contenu(
        titre=titre,
        photo=photo,
        annee=annee,
        territoire=t,
        grilles=grilles,
        graphiques=graphiques,
        par_epci=par_epci,
        par_bailleur=indicateurs.indicateurs_legaux(photo, annee, par="bailleur", filtres=f_autres),
    )


def pdf(c: Contenu) -> bytes:
    return rendre_pdf(
        "observatoire/bilans/bilan_pdf.html",
        {"c": c, "definitions": indicateurs.DEFINITIONS, "edite_le": timezone.localtime()},
        feuille="css/observatoire_pdf.css",
    )


def _lignes_indicateurs(lignes) -> list[list]:
    tete = ["", "Attributions"]
    for code, *_ in indicateurs.DEFINITIONS:
        tete += [f"{code.label} : effectif", "dénominateur", "taux (%)", "objectif (%)"]
    corps = [
        [ligne.libelle, ligne.attributions]
        + [v for i in ligne.indicateurs for v in (i.numerateur, i.denominateur, i.taux, i.objectif)]
        for ligne in lignes
    ]
    return [tete, *corps]


def classeur(c: Contenu, chemin: Path) -> None:
    feuilles = [(g.titre, g.en_lignes()) for g in c.grilles]
    feuilles.append((f"Indicateurs légaux {c.annee} par EPCI", _lignes_indicateurs(c.par_epci)))
    feuilles.append((f"Indicateurs légaux {c.annee} par bailleur", _lignes_indicateurs(c.par_bailleur)))
    ecrire_classeur(chemin, feuilles)


def _periode(type_: str, annee: int) -> tuple[date, str]:
    if type_ == TypeBilan.ANNUEL:
        return date(annee + 1, 1, 1), f"Bilan annuel {annee}"
    return date(annee, 7, 1), f"Bilan du 1er semestre {annee}"


def produire_bilan(type_: str, annee: int) -> Bilan | None:
    """Produit le bilan s'il manque et si sa photo existe ; rend le bilan (existant ou nouveau), ou None."""
    existant = Bilan.objects.filter(type=type_, annee=annee).first()
    if existant is not None:
        return existant
    mois, titre = _periode(type_, annee)
    photo = Photo.objects.filter(mois=mois).first()
    if photo is None:
        return None
    c = contenu(photo, annee, titre)
    racine = Path(settings.MEDIA_ROOT)
    nom = f"{DOSSIER}/{type_}-{annee}"
    (racine / DOSSIER).mkdir(parents=True, exist_ok=True)
    (racine / f"{nom}.pdf").write_bytes(pdf(c))
    classeur(c, racine / f"{nom}.xlsx")
    try:
        with transaction.atomic():
            return Bilan.objects.create(
                type=type_, annee=annee, photo=photo, pdf=f"{nom}.pdf", xlsx=f"{nom}.xlsx", produit_le=timezone.now()
            )
    except IntegrityError:  # produit en même temps par une autre exécution : mêmes fichiers, une seule ligne
        return Bilan.objects.get(type=type_, annee=annee)


def produire_bilans_dus(le: date | None = None) -> list[Bilan]:
    """Le bilan annuel N-1 à partir de janvier, celui du 1er semestre N à partir de juillet."""
    le = le or timezone.localdate()
    produits = []
    dus = [(TypeBilan.ANNUEL, le.year - 1)]
    if le.month >= 7:
        dus.append((TypeBilan.SEMESTRIEL, le.year))
    for type_, annee in dus:
        avant = Bilan.objects.filter(type=type_, annee=annee).exists()
        bilan = produire_bilan(type_, annee)
        if bilan is not None and not avant:
            produits.append(bilan)
    return produits


def fiche_territoriale(photo: Photo, territoire: Territoire) -> bytes:
    annee = photo.mois.year - 1
    return pdf(contenu(photo, annee, f"Fiche territoriale – {territoire.libelle}", territoire))


def chemin(relatif: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relatif
