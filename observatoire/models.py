"""Les modèles de l'observatoire, rangés dans leurs fonctionnalités et réunis ici pour Django."""

from observatoire.bilans.models import Bilan, TypeBilan
from observatoire.compteurs.models import CompteurActivite, Indicateur, JourCompte
from observatoire.photos.models import Photo, PhotoAttribution, PhotoDemande, PhotoLogement, TrancheAnciennete
from observatoire.pivot.models import EtatExport, ExportPivot, FormatExport, TransitionExport
from observatoire.secret.models import SeuilSecret
from observatoire.tableaux.models import IndicateurLegal, Objectif

__all__ = [
    "Bilan",
    "CompteurActivite",
    "EtatExport",
    "ExportPivot",
    "FormatExport",
    "Indicateur",
    "IndicateurLegal",
    "JourCompte",
    "Objectif",
    "Photo",
    "PhotoAttribution",
    "PhotoDemande",
    "PhotoLogement",
    "SeuilSecret",
    "TrancheAnciennete",
    "TransitionExport",
    "TypeBilan",
]
