"""Territoire choisi et grille à afficher ou exporter : la forme commune des tableaux de l'observatoire."""

from __future__ import annotations

from dataclasses import dataclass, field

from fdls.territoires.models import Commune, Epci, Quartier
from observatoire.croisement.tableau import TOTAL, Tableau


@dataclass(frozen=True)
class Territoire:
    """Tout le fichier, un EPCI, une commune ou un quartier (du 1er choix pour les demandes)."""

    epci: Epci | None = None
    commune: Commune | None = None
    quartier: Quartier | None = None

    @property
    def libelle(self) -> str:
        if self.quartier:
            return f"{self.quartier.nom} ({self.commune.nom})"
        if self.commune:
            return self.commune.nom
        if self.epci:
            return self.epci.nom
        return "Tout le fichier"

    def filtres(self, *, quartier: bool = True) -> dict:
        """Filtres de ``croiser`` ; ``quartier=False`` pour les sources sans quartier (attributions, parc)."""
        if self.commune:
            # L'EPCI avec la commune : les index des photos commencent par (photo, epci, commune).
            f = {"epci": self.commune.epci_id or "", "commune": self.commune.code_insee}
            if quartier and self.quartier:
                f["quartier"] = self.quartier.pk
            return f
        if self.epci:
            return {"epci": self.epci.siren}
        return {}

    def sous_niveau(self) -> str:
        """La dimension qui découpe ce territoire : EPCI du fichier, communes d'un EPCI, quartiers d'une commune."""
        if self.commune:
            return "quartier"
        if self.epci:
            return "commune"
        return "epci"


@dataclass
class Grille:
    """Un tableau prêt à montrer : titre (légende), en-têtes, lignes, ligne de total, notes."""

    titre: str
    entetes: list[str]
    lignes: list[tuple[str, list]]
    total: tuple[str, list] | None = None
    notes: list[str] = field(default_factory=list)
    masquees: int = 0

    def en_lignes(self) -> list[list]:
        corps = [[libelle, *valeurs] for libelle, valeurs in self.lignes]
        if self.total:
            corps.append([self.total[0], *self.total[1]])
        return [list(self.entetes), *corps]


def grille_de(tableau: Tableau, *, titre: str = "", notes: list[str] | None = None) -> Grille:
    """La grille d'un tableau croisé : une colonne par valeur de la dimension en colonne, puis le total."""
    entetes = [tableau.ligne.libelle if tableau.ligne else "", *[lib for _, lib in tableau.colonnes], "Total"]
    lignes = [
        (libelle, [*[tableau.valeur(code, c) for c, _ in tableau.colonnes], tableau.valeur(code, TOTAL)])
        for code, libelle in tableau.lignes
    ]
    total = ("Total", [*[tableau.valeur(TOTAL, c) for c, _ in tableau.colonnes], tableau.valeur(TOTAL, TOTAL)])
    notes = list(notes or [])
    if tableau.masquees:
        notes.append(
            f"{len(tableau.masquees)} case(s) masquée(s) par le secret statistique (« s ») : effectif sous le "
            "seuil, ou case qui permettrait de le retrouver par différence avec les totaux."
        )
    return Grille(
        titre=titre or tableau.titre,
        entetes=entetes,
        lignes=lignes,
        total=total,
        notes=notes,
        masquees=len(tableau.masquees),
    )
