"""« Pourquoi cette demande n'est-elle pas proposée ? » : les raisons, en français et chiffrées, ou son rang.

Chemin Python de la recherche : les raisons des critères (``criteres``) appliquées
aux lignes de rapprochement de la demande. Une demande qui n'est pas active,
ou qui n'a pas choisi la commune du logement, n'a pas de ligne pour cette
commune : sa raison vient de la demande elle-même. Accord avec le SQL :
tests/instruction/rapprochement/test_accord.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from demandes.models import Demande
from instruction.rapprochement import criteres, recherche_sql
from instruction.rapprochement.models import LigneCandidat


@dataclass
class Explication:
    demande: Demande
    raisons: list[str] = field(default_factory=list)
    rang: int | None = None
    points: int | None = None

    @property
    def proposee(self) -> bool:
        return self.rang is not None

    @property
    def rang_au_dela(self) -> bool:
        """Rang non décompté au-delà de ``recherche_sql.PLAFOND_RANG`` candidats classés devant."""
        return self.rang is not None and self.rang > recherche_sql.PLAFOND_RANG

    @property
    def libelle_rang(self) -> str:
        if self.rang_au_dela:
            return f"après le {recherche_sql.PLAFOND_RANG}e candidat"
        return f"au rang {self.rang}"


def _commune_non_demandee(recherche: criteres.Recherche, demande: Demande) -> str:
    localisations = sorted(demande.localisations.all(), key=lambda loc: loc.rang)
    choisies = ", ".join(loc.commune.nom for loc in localisations)
    return f"commune {recherche.logement.commune.nom} non demandée (choix : {choisies or 'aucun'})"


def expliquer_plusieurs(recherche: criteres.Recherche, demandes: list[Demande], cles: list[str]) -> list[Explication]:
    """Raisons d'exclusion de chaque demande (visible de l'agent), ou son rang si elle est dans la liste.

    Trois requêtes pour toutes les demandes : leurs lignes dans la commune du logement, les localisations
    (précharger ``localisations__commune`` sur ``demandes``) et les rangs des demandes retenues.
    """
    lignes = {
        ligne.demande_id: ligne
        for ligne in LigneCandidat.objects.filter(demande__in=demandes, commune_id=recherche.commune_id)
    }
    explications = []
    for demande in demandes:
        raison = criteres.raison_etat(demande)
        ligne = lignes.get(demande.pk)
        if raison:
            explications.append(Explication(demande, [raison]))
        elif ligne is None:
            explications.append(Explication(demande, [_commune_non_demandee(recherche, demande)]))
        else:
            explications.append(Explication(demande, recherche.raisons(ligne, demande), points=ligne.points))
    retenues = [e.demande.pk for e in explications if not e.raisons]
    rangs = recherche_sql.rangs(recherche, cles, retenues)
    for e in explications:
        if not e.raisons:
            e.rang = rangs.get(e.demande.pk)
            if e.rang is None:  # impossible si SQL et Python s'accordent (test d'accord) : ne rien taire
                e.raisons = ["demande hors de votre territoire d'habilitation"]
    return explications


def expliquer(recherche: criteres.Recherche, demande: Demande, cles: list[str]) -> Explication:
    return expliquer_plusieurs(recherche, [demande], cles)[0]
