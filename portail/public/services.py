"""Test d'éligibilité : la catégorie du ménage et les plafonds de ressources en vigueur (données datées).

La catégorie est calculée par la règle du dossier (``demandes.dossier.calculs.rang_plafond``, arrêté du
29 juillet 1987) sur un ménage construit en mémoire ; les plafonds sont ceux de la table réglementaire
(``demandes.dossier.reglementaire.plafond``), jamais des constantes : une année absente est dite telle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from demandes.dossier import calculs, choix, reglementaire
from demandes.dossier.models import Personne

EXPLICATIONS = {
    "PLAI": "Prêt locatif aidé d'intégration : les logements aux loyers les plus bas, pour les ménages aux "
    "ressources les plus modestes.",
    "PLUS": "Prêt locatif à usage social : la plupart des logements sociaux.",
    "PLS": "Prêt locatif social : des loyers un peu plus élevés, pour les ménages aux ressources moyennes.",
}


@dataclass
class Ouverture:
    financement: str
    plafond: Decimal | None
    ouvert: bool | None  # None : plafond de l'année non chargé
    explication: str


@dataclass
class Eligibilite:
    annee: int
    categorie: int
    personnes: int
    rfr: Decimal
    ouvertures: list[Ouverture]

    @property
    def aucun(self) -> bool:
        return all(o.ouvert is False for o in self.ouvertures)

    @property
    def manquants(self) -> bool:
        return any(o.ouvert is None for o in self.ouvertures)


def _age(le: date, ans: int) -> date:
    return date(le.year - ans, 1, 1) if ans else date(le.year - 30, 1, 1)


def menage(
    *,
    couple: bool,
    age_demandeur: int,
    age_conjoint: int | None,
    a_charge: int,
    autres_adultes: int,
    handicap: bool,
    le: date,
) -> list[Personne]:
    personnes = [Personne(role=choix.Role.DEMANDEUR, date_naissance=_age(le, age_demandeur), handicap=handicap)]
    if couple:
        personnes.append(
            Personne(
                role=choix.Role.CODEMANDEUR,
                lien_parente=choix.LienParente.CONJOINT,
                date_naissance=_age(le, age_conjoint or age_demandeur),
            )
        )
    personnes += [
        Personne(
            role=choix.Role.OCCUPANT,
            lien_parente=choix.LienParente.SANS_LIEN,
            a_charge=False,
            date_naissance=_age(le, 30),
        )
        for _ in range(autres_adultes)
    ]
    personnes += [
        Personne(
            role=choix.Role.OCCUPANT, lien_parente=choix.LienParente.ENFANT, a_charge=True, date_naissance=_age(le, 10)
        )
        for _ in range(a_charge)
    ]
    return personnes


def eligibilite(*, personnes: list[Personne], rfr: Decimal, zone: str, le: date) -> Eligibilite:
    """Les financements ouverts au ménage : son revenu comparé au plafond de l'année ``le`` pour sa catégorie."""
    rang = calculs.rang_plafond(personnes, le)
    ouvertures = []
    for financement in reglementaire.Financement.values:
        plafond = reglementaire.plafond(financement, rang, le.year, zone)
        ouvert = None if plafond is None else rfr <= plafond
        ouvertures.append(Ouverture(financement, plafond, ouvert, EXPLICATIONS[financement]))
    return Eligibilite(annee=le.year, categorie=min(rang, 6), personnes=len(personnes), rfr=rfr, ouvertures=ouvertures)
