"""Modèles de la cotation, rangés dans leurs fonctionnalités et réunis ici pour Django.

L'application reste ``cotation`` (mêmes tables, mêmes migrations) :

- ``calcul/models.py`` : la grille en données (``Grille``, ``Famille``,
  ``Critere``) et les résultats (``ResultatCotation``, ``HistoriqueCotation``,
  ``DistributionCotation``) ;
- ``grilles/models.py`` : le journal de la vie d'une grille (``TransitionGrille``) ;
- ``transparence/models.py`` : l'attente estimée (``AttenteEstimee``) ;
- ``impact/models.py`` : les études d'impact (``EtudeImpact``).

Le code de la cotation importe les modèles de leur fonctionnalité ; ce module
sert au chargement de Django et aux autres applications.
"""

from .calcul.models import Critere, DistributionCotation, Famille, Grille, HistoriqueCotation, ResultatCotation
from .grilles.models import TransitionGrille
from .impact.models import EtudeImpact
from .transparence.models import AttenteEstimee

__all__ = [
    "AttenteEstimee",
    "Critere",
    "DistributionCotation",
    "EtudeImpact",
    "Famille",
    "Grille",
    "HistoriqueCotation",
    "ResultatCotation",
    "TransitionGrille",
]
