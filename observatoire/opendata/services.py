"""Données ouvertes : extrait mensuel anonyme par commune (CSV) et son dictionnaire des données.

Fait sur la photo du mois ; trois tableaux commune × typologie (demandes en cours, attributions de l'année
précédente, logements sociaux), chacun passé par le secret statistique (masquage primaire et secondaire :
rien ne se retrouve par différence avec les totaux de la commune ou de la typologie), puis mis à plat : une
ligne par commune et typologie, plus une ligne « total » par commune. Les cases masquées sont vides et
marquées « s » dans la colonne ``secret``.

Parquet : pas fait (pyarrow pèse ≈ 100 Mo pour un fichier de quelques milliers de lignes ; docs/decisions.md).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from fdls.territoires.models import Commune
from observatoire.croisement.dimensions import TYPOLOGIES
from observatoire.croisement.tableau import TOTAL, croiser
from observatoire.photos.models import Photo
from observatoire.secret.services import appliquer_secret, seuil_en_vigueur
from observatoire.tableurs.ecriture import ecrire

DOSSIER = "observatoire/opendata"
FICHIER = "demandes_par_commune.csv"
DICTIONNAIRE = "dictionnaire.csv"

#: (colonne, type, description) : le dictionnaire publié avec l'extrait.
COLONNES = [
    ("mois", "date AAAA-MM-JJ", "Date de la photo du fichier (1er du mois, état à 0 h)."),
    ("code_insee", "texte (5)", "Code INSEE de la commune (du 1er choix pour les demandes, du logement sinon)."),
    ("commune", "texte", "Nom de la commune."),
    ("typologie", "texte", "Typologie (T1 à T6, chambre) ou « total » pour toute la commune."),
    ("demandes_en_cours", "entier", "Demandes de logement social en cours (enregistrées, ni satisfaites ni radiées)."),
    ("attributions_annee_precedente", "entier", "Baux signés l'année civile précédant la photo."),
    ("logements_sociaux", "entier", "Logements sociaux du répertoire du fichier."),
    ("secret", "texte", "« s » si au moins une valeur de la ligne est masquée (secret statistique)."),
]


def lignes_extrait(photo: Photo, seuil: int) -> list[list]:
    annee = photo.mois.year - 1
    tableaux = [
        croiser("demandes", photo, ligne="commune", colonne="typologie"),
        croiser("attributions", photo, ligne="commune", colonne="typologie", filtres={"annee": annee}),
        croiser("logements", photo, ligne="commune", colonne="typologie"),
    ]
    for tableau in tableaux:
        appliquer_secret(tableau, seuil)
    codes = sorted({code for t in tableaux for code, _ in t.lignes})
    noms = dict(Commune.objects.filter(code_insee__in=codes).values_list("code_insee", "nom"))
    typologies = TYPOLOGIES
    lignes = [[c for c, _, _ in COLONNES]]
    for code in codes:
        for typologie in [*typologies, TOTAL]:
            valeurs = [t.valeur(code, typologie) for t in tableaux]
            masque = any((code, typologie) in t.masquees for t in tableaux)
            if not masque and not any(valeurs):
                continue
            lignes.append(
                [
                    photo.mois.isoformat(),
                    code,
                    noms.get(code, ""),
                    "total" if typologie == TOTAL else typologie,
                    *valeurs,
                    "s" if masque else "",
                ]
            )
    return lignes


def dossier_du_mois(photo: Photo) -> Path:
    return Path(settings.MEDIA_ROOT) / DOSSIER / f"{photo.mois:%Y-%m}"


def publier(photo: Photo) -> list[str]:
    """Écrit l'extrait et le dictionnaire de la photo (réécrits à l'identique si relancé)."""
    dossier = dossier_du_mois(photo)
    ecrire("csv", dossier / FICHIER, lignes_extrait(photo, seuil_en_vigueur(photo.mois)))
    ecrire("csv", dossier / DICTIONNAIRE, [["colonne", "type", "description"], *map(list, COLONNES)])
    return [FICHIER, DICTIONNAIRE]


def publier_extrait_du_mois() -> list[str]:
    photo = Photo.objects.first()
    if photo is None or (dossier_du_mois(photo) / FICHIER).is_file():
        return []
    return publier(photo)


def extraits_publies() -> list[str]:
    racine = Path(settings.MEDIA_ROOT) / DOSSIER
    if not racine.is_dir():
        return []
    return sorted((p.name for p in racine.iterdir() if (p / FICHIER).is_file()), reverse=True)
