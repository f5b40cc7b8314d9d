"""Chargement du référentiel territorial depuis les CSV du projet."""

import csv
from pathlib import Path

from django.db import transaction

from fdls.socle.cache import CacheDate
from fdls.territoires.models import Commune, Departement, Epci, Quartier

DOSSIER_REFERENTIEL = Path(__file__).resolve().parent.parent / "referentiel"


def _lire(nom: str, dossier: Path) -> list[dict]:
    with open(dossier / nom, newline="", encoding="utf-8") as fichier:
        return list(csv.DictReader(fichier))


@transaction.atomic
def charger_referentiel(*, dossier: Path = DOSSIER_REFERENTIEL) -> dict:
    """Insère ou met à jour départements, EPCI, communes et quartiers (idempotent)."""
    departements = [
        Departement(code=r["code"], nom=r["nom"], region=r["region"]) for r in _lire("departements.csv", dossier)
    ]
    Departement.objects.bulk_create(
        departements, update_conflicts=True, unique_fields=["code"], update_fields=["nom", "region"]
    )
    epcis = [
        Epci(siren=r["siren"], nom=r["nom"], type=r["type"], population=int(r["population_municipale"] or 0))
        for r in _lire("epci.csv", dossier)
    ]
    Epci.objects.bulk_create(
        epcis, update_conflicts=True, unique_fields=["siren"], update_fields=["nom", "type", "population"]
    )
    communes = [
        Commune(
            code_insee=r["code_insee"],
            nom=r["nom"],
            departement_id=r["departement"],
            epci_id=r["epci_siren"] or None,
            codes_postaux=r["codes_postaux"].split(),
            population=int(r["population"] or 0),
        )
        for r in _lire("communes.csv", dossier)
    ]
    Commune.objects.bulk_create(
        communes,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["code_insee"],
        update_fields=["nom", "departement", "epci", "codes_postaux", "population"],
    )
    quartiers = [
        Quartier(commune_id=r["code_insee"], nom=r["nom"], qpv=r["qpv"] == "1", veille=r["veille"] == "1")
        for r in _lire("quartiers.csv", dossier)
    ]
    Quartier.objects.bulk_create(
        quartiers, update_conflicts=True, unique_fields=["commune", "nom"], update_fields=["qpv", "veille"]
    )
    vider_cache_communes()
    transaction.on_commit(vider_cache_communes)
    return {
        "departements": len(departements),
        "epci": len(epcis),
        "communes": len(communes),
        "quartiers": len(quartiers),
    }


# ---------------------------------------------------------------- communes en mémoire

DUREE_CACHE_COMMUNES = 300  # secondes
CACHE_COMMUNES = CacheDate("communes", duree=DUREE_CACHE_COMMUNES, modeles=(Commune,))


def vider_cache_communes(**_kwargs) -> None:
    CACHE_COMMUNES.vider()


def communes_par_code(codes) -> dict[str, Commune]:
    """Communes du référentiel par code INSEE, gardées en mémoire du processus (5 minutes).

    Le référentiel ne change qu'à son chargement (qui vide ce cache, comme toute écriture d'une
    commune par l'ORM) : l'enregistrement d'une demande n'a plus à relire ses communes souhaitées.
    Un code absent du cache est cherché en base (commune ajoutée depuis, par un autre processus).
    """
    communes = CACHE_COMMUNES.lire("toutes", lambda: dict(Commune.objects.in_bulk()))
    manquantes = {c for c in codes if c not in communes}
    if manquantes:
        communes.update(Commune.objects.in_bulk(manquantes))
    return {c: communes[c] for c in codes if c in communes}
