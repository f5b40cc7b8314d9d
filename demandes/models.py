"""Les modèles de l'application ``demandes``, réunis pour Django.

Chaque modèle vit dans le ``models.py`` de sa fonctionnalité (``dossier``,
``doublons``, ``labels``, ``pieces``, ``relances``) ; ce module est celui que
Django charge : il les importe tous, si bien que le libellé d'application
(``demandes``), les noms des tables et les migrations ne changent pas.
Les autres applications importent les modèles d'ici ; à l'intérieur de
``demandes``, chaque fonctionnalité importe ceux dont elle a besoin depuis
leur fonctionnalité (docs/architecture.md).
"""

from demandes.dossier.models import (
    CleIdentite,
    CompteurNumero,
    CompteurReference,
    Demande,
    DemandeQuerySet,
    Evenement,
    LigneRecherche,
    LocalisationSouhaitee,
    ParametreReglementaire,
    Personne,
    PlafondRessources,
    Ressource,
    SeuilPremierQuartile,
    TraitementPlanifie,
)
from demandes.doublons.models import SuspicionDoublon
from demandes.favoris.models import Favori
from demandes.labels.models import Label, LabelQuerySet, TypeLabel
from demandes.pieces.models import Piece, PieceQuerySet
from demandes.relances.models import Relance, SmsJournal

__all__ = [
    "CleIdentite",
    "CompteurNumero",
    "CompteurReference",
    "Demande",
    "DemandeQuerySet",
    "Evenement",
    "Favori",
    "Label",
    "LabelQuerySet",
    "LigneRecherche",
    "LocalisationSouhaitee",
    "ParametreReglementaire",
    "Personne",
    "Piece",
    "PieceQuerySet",
    "PlafondRessources",
    "Relance",
    "Ressource",
    "SeuilPremierQuartile",
    "SmsJournal",
    "SuspicionDoublon",
    "TraitementPlanifie",
    "TypeLabel",
]
