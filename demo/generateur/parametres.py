"""Paramètres d'un fichier à générer et bilan de la génération."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Parametres:
    actives: int
    graine: int = 44
    aujourd_hui: date | None = None
    departement: str = "44"
    epci_principal: str = "244400404"  # Nantes Métropole
    part_epci_principal: float = 0.69
    part_mutation: float = 0.36
    part_en_ligne: float = 0.64
    annees_closes: int = 3
    taux_satisfaction: float = 0.159
    delai_moyen_mois: float = 24.7
    taux_annulation: float = 0.30
    part_doublons: float = 0.01
    taille_lot: int = 5000
    parallele: bool | None = None  # fil de chargement ; par défaut au-delà de 5 000 demandes
    ajuster_autovacuum: bool | None = None  # par défaut au-delà de 100 000 demandes
    # Contrôle des clés étrangères ligne à ligne ; par défaut désactivé au-delà de 100 000 demandes
    # si le rôle est superutilisateur (session_replication_role = replica), conservé sinon.
    controle_fk: bool | None = None
    # Chargement en masse : index secondaires retirés puis reconstruits, lots fabriqués par plusieurs
    # processus ; par défaut au-delà de 100 000 demandes.
    massif: bool | None = None
    processus: int | None = None  # processus de fabrication en mode massif (défaut : nombre de cœurs)
    # Passages et décisions de CAL fabriqués dans l'historique (bancs) ; la petite démonstration (``manage.py
    # demo``) n'en fabrique pas : ses séances et décisions passent par les services des commissions.
    evenements_cal: bool = True
    journal: object = None  # fonction(str) pour la progression


@dataclass
class Bilan:
    demandes: int = 0
    actives: int = 0
    satisfaites: int = 0
    annulees: int = 0
    personnes: int = 0
    ressources: int = 0
    localisations: int = 0
    evenements: int = 0
    cles: int = 0
    doublons: int = 0
    duree: float = 0.0
    lignes: dict = field(default_factory=dict)

    def ajouter(self, partiel: Bilan) -> None:
        """Ajoute le bilan d'un lot fabriqué par un processus de travail."""
        for nom in ("demandes", "actives", "satisfaites", "annulees", "personnes", "localisations", "evenements"):
            setattr(self, nom, getattr(self, nom) + getattr(partiel, nom))
        self.doublons += partiel.doublons


def volumes(p: Parametres) -> tuple[int, int, int]:
    """(actives, satisfaites, annulées) à générer."""
    satisfaites = round(p.actives * p.taux_satisfaction * p.annees_closes)
    annulees = round(p.actives * p.taux_annulation * p.annees_closes)
    return p.actives, satisfaites, annulees


def resume(b: Bilan) -> str:
    return (
        f"{b.demandes} demandes ({b.actives} actives, {b.satisfaites} satisfaites, {b.annulees} annulées), "
        f"{b.personnes} personnes, {b.ressources} ressources, {b.localisations} localisations, "
        f"{b.evenements} événements, {b.cles} clés d'identité, {b.doublons} doublons semés, en {b.duree:.1f} s"
    )
