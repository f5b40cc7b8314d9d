"""Cotation sans base : la grille de Nantes Métropole compilée depuis sa définition, des faits de test,
et de quoi lire un résultat (le territoire en base est ``tests.monde.territoires.territoire_nantes``)."""

from __future__ import annotations

import functools
from datetime import date

from cotation.calcul.faits import Faits
from cotation.calcul.moteur import GrilleCompilee, Resultat, compiler, coter
from cotation.calcul.regles import ajouter_mois
from cotation.grilles.grille_nantes import EPCI_NANTES_METROPOLE, GRILLE_NANTES_METROPOLE
from cotation.grilles.services import valeurs_critere
from cotation.models import Critere, Famille, Grille

LE = date(2025, 6, 15)
EPCI = EPCI_NANTES_METROPOLE

# Libellés des labels que cote la grille (référentiel des labels, migrations 0012 et 0016 des demandes).
LIBELLES = {
    "cp-dalo": "CP - Dalo",
    "cp-violences-conjugales": "CP - Violences conjugales",
    "cp-sortant-hebergement": "CP - Sortant d'hébergement",
    "cp-refugies": "CP - Réfugiés",
    "cp-handicap": "CP - Situation de handicap",
    "cp-sans-logement": "CP - Sans logement, logement précaire ou 25-30 ans en difficulté économique",
    "cp-premier-quartile": "CP - Labélisation automatique (1er quartile)",
    "cp-autres-priorites": "CP - Autres priorités définies par l'État",
    "nm-mutation-prioritaire": "NM - Mutation prioritaire",
    "nm-renouvellement-urbain": "NM - Relogement renouvellement urbain",
    "nm-logement-d-abord": "NM - Logement d'abord",
}
LABELS_ETAT = [code for code in LIBELLES if code.startswith("cp-")]
LABELS_NM = [code for code in LIBELLES if code.startswith("nm-")]


def compiler_definition(definition: dict, *, plancher: int | None = None, epci: str = EPCI) -> GrilleCompilee:
    """Compile une grille décrite en données (comme ``installer_grille``) depuis des modèles non enregistrés."""
    grille = Grille(
        pk=1,
        epci_id=epci,
        version=1,
        libelle=definition["libelle"],
        total_plancher=plancher if plancher is not None else definition.get("total_plancher"),
    )
    familles = {}
    for i, f in enumerate(definition["familles"], 1):
        familles[f["code"]] = Famille(
            pk=i,
            grille=grille,
            code=f["code"],
            libelle=f["libelle"],
            ordre=i * 10,
            cumul=f.get("cumul", Famille.Cumul.SOMME),
            exclue_si_familles=f.get("exclue_si_familles", []),
        )
    criteres = []
    for i, ligne in enumerate(definition["criteres"], 1):
        famille, valeurs = valeurs_critere(ligne, i)
        criteres.append(Critere(pk=i, grille=grille, famille=familles[famille], **valeurs))
    return compiler(grille, list(familles.values()), criteres)


@functools.cache
def grille_nantes(plancher: int | None = None) -> GrilleCompilee:
    return compiler_definition(GRILLE_NANTES_METROPOLE, plancher=plancher)


def labels(*codes: str) -> dict[str, str]:
    return {code: LIBELLES.get(code, code) for code in codes}


def faits(**champs) -> Faits:
    """Une demande de Nantes Métropole déposée le jour du calcul, locataire du privé : aucun point."""
    valeurs = {"demande_id": 1, "date_depot": LE, "statut_occupation": "locataire_prive", "epci": EPCI}
    valeurs.update(champs)
    return Faits(**valeurs)


def coter_nantes(f: Faits, le: date = LE, *, plancher: int | None = None) -> Resultat:
    return coter(f, grille_nantes(plancher), le)


def points(r: Resultat) -> dict[str, int]:
    """Points de chaque ligne (les lignes à 0 point d'un critère exclu comprises)."""
    return {ligne.critere: ligne.points for ligne in r.lignes}


def ligne(r: Resultat, critere: str):
    [trouvee] = [lg for lg in r.lignes if lg.critere == critere]
    return trouvee


def mois_avant(d: date, n: int) -> date:
    return ajouter_mois(d, -n)
