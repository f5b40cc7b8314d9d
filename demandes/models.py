"""Les modèles de l'application ``demandes``, réunis pour Django.

Chaque modèle vit dans le ``models.py`` de sa fonctionnalité (``dossier``,
``doublons``, ``labels``, ``pieces``, ``relances``) ; ce module est celui que
Django charge : il les importe tous, si bien que le libellé d'application
(``demandes``), les noms des tables et les migrations ne changent pas.
Les autres applications importent les modèles d'ici ; à l'intérieur de
``demandes``, chaque fonctionnalité importe ceux dont elle a besoin depuis
leur fonctionnalité (docs/architecture.md).
"""

from django.db import models

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
from demandes.labels.models import Label, LabelQuerySet, TypeLabel
from demandes.pieces.models import Piece, PieceQuerySet
from demandes.relances.models import Relance, SmsJournal

__all__ = [
    "CleIdentite",
    "CompteurNumero",
    "CompteurReference",
    "Demande",
    "DemandeQuerySet",
    "DoublonSeme",
    "Evenement",
    "IndexSuspendu",
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


# ---------------------------------------------------------------- modèles du générateur de démonstration
# Ils partent avec le générateur dans l'application ``demo`` (migrations d'état seulement) : laissés ici,
# tels quels, le temps de ce déplacement.


class DoublonSeme(models.Model):
    """Vérité terrain du générateur de démonstration : doublons introduits volontairement.

    Sert à mesurer rappel et précision de la détection (bench/). Vide en production.
    """

    class Type(models.TextChoices):
        FAUTE_FRAPPE = "faute_frappe", "Faute de frappe"
        INVERSION = "inversion", "Nom et prénom inversés"
        ACCENTS = "accents", "Accents manquants"
        CODEMANDEUR_SEUL = "codemandeur_seul", "Co-demandeur déposant seul"

    originale = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="+")
    doublon = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=20, choices=Type.choices)

    class Meta:
        verbose_name = "doublon semé (démonstration)"
        constraints = [models.UniqueConstraint(fields=["originale", "doublon"], name="doublon_seme_unique")]

    def __str__(self):
        return f"{self.originale_id} → {self.doublon_id} ({self.type})"


class IndexSuspendu(models.Model):
    """Index secondaire retiré pendant un chargement en masse du générateur, à reconstruire.

    Le générateur (``demandes/generateur.py``, au-delà de 100 000 demandes)
    retire les index qui ne portent pas de contrainte, charge par COPY, puis
    les reconstruit en une passe triée (la pratique de ``pg_restore``). Chaque
    index retiré est noté ici avec sa définition avant d'être supprimé : si le
    chargement est interrompu, le lancement suivant les reconstruit d'abord.
    Vide hors d'un chargement.
    """

    nom = models.CharField(max_length=63, unique=True)
    table = models.CharField(max_length=63)
    definition = models.TextField()

    class Meta:
        verbose_name = "index suspendu (chargement en masse)"

    def __str__(self):
        return self.nom
