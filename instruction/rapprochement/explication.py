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


def expliquer(recherche: criteres.Recherche, demande: Demande, cles: list[str]) -> Explication:
    """Raisons d'exclusion de ``demande`` (visible de l'agent) de la recherche, ou son rang si elle y est."""
    raison = criteres.raison_etat(demande)
    if raison:
        return Explication(demande, [raison])
    ligne = LigneCandidat.objects.filter(demande=demande, commune_id=recherche.commune_id).first()
    if ligne is None:
        choisies = ", ".join(
            loc.commune.nom for loc in demande.localisations.select_related("commune").order_by("rang")
        )
        commune = recherche.logement.commune.nom
        return Explication(demande, [f"commune {commune} non demandée (choix : {choisies or 'aucun'})"])
    raisons = recherche.raisons(ligne, demande)
    if raisons:
        return Explication(demande, raisons, points=ligne.points)
    return Explication(demande, [], rang=recherche_sql.rang(recherche, cles, ligne), points=ligne.points)
