"""Tableaux standard de l'observatoire (seed 000, domain.md §7), lus sur une photo et un territoire.

Chaque tableau est une fonction ``(photo, territoire, annee) -> list[Grille]`` du registre ``TABLEAUX`` ;
``annee`` est l'année des attributions (N-1 de la photo par défaut).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from observatoire.croisement.dimensions import SOURCES, TYPOLOGIES
from observatoire.croisement.grille import Grille, Territoire, grille_de
from observatoire.croisement.tableau import TOTAL, croiser, requete
from observatoire.photos.models import PhotoAttributionCube, PhotoDelaiCube


def _arrondi(valeur, decimales: int = 1) -> Decimal | None:
    if valeur is None:
        return None
    return Decimal(str(valeur)).quantize(Decimal(1).scaleb(-decimales), ROUND_HALF_UP)


def _ratio(a: int, b: int, decimales: int = 1) -> Decimal | None:
    return _arrondi(Decimal(a) / Decimal(b), decimales) if b else None


def _pct(a: int, b: int) -> Decimal | None:
    return _arrondi(Decimal(a) * 100 / Decimal(b)) if b else None


def _f_demandes(t: Territoire) -> dict:
    return t.filtres()


def _f_autres(t: Territoire) -> dict:
    return t.filtres(quartier=False)


def demandes_typologie(photo, t: Territoire, annee: int) -> list[Grille]:
    return [
        grille_de(
            croiser("demandes", photo, ligne="categorie_recherchee", colonne="typologie", filtres=_f_demandes(t)),
            titre=f"Demandes en cours par catégorie de logement et typologie – {t.libelle}",
        ),
        grille_de(
            croiser("demandes", photo, ligne="categorie_menage", colonne="typologie", filtres=_f_demandes(t)),
            titre=f"Demandes en cours par catégorie de ménage et typologie – {t.libelle}",
        ),
    ]


def demandes_territoire(photo, t: Territoire, annee: int) -> list[Grille]:
    niveau = t.sous_niveau()
    return [
        grille_de(
            croiser("demandes", photo, ligne=niveau, colonne="typologie", filtres=_f_demandes(t)),
            titre=f"Demandes en cours par {SOURCES['demandes'].dimensions[niveau].libelle.lower()} et typologie "
            f"– {t.libelle}",
            notes=["Territoire du premier choix de commune (et de quartier, s'il est précisé)."],
        )
    ]


def parc(photo, t: Territoire, annee: int) -> list[Grille]:
    f = _f_autres(t)
    return [
        grille_de(
            croiser("logements", photo, ligne="categorie", colonne="typologie", filtres=f),
            titre=f"Patrimoine de logements sociaux par catégorie et typologie – {t.libelle}",
        ),
        grille_de(
            croiser("logements", photo, ligne="bailleur", colonne="typologie", filtres=f),
            titre=f"Patrimoine par bailleur et typologie – {t.libelle}",
        ),
        grille_de(
            croiser("logements", photo, ligne="typologie", mesure="vacants", filtres=f),
            titre=f"Vacances ouvertes (à pourvoir ou en cours d'attribution) par typologie – {t.libelle}",
        ),
    ]


def attributions(photo, t: Territoire, annee: int) -> list[Grille]:
    f = {**_f_autres(t), "annee": annee}
    niveau = t.sous_niveau() if t.sous_niveau() != "quartier" else "qpv"
    return [
        grille_de(
            croiser("attributions", photo, ligne=niveau, colonne="typologie", filtres=f),
            titre=f"Attributions {annee} (baux signés) par territoire du logement et typologie – {t.libelle}",
        ),
        grille_de(
            croiser("attributions", photo, ligne="bailleur", colonne="typologie", filtres=f),
            titre=f"Attributions {annee} par bailleur et typologie – {t.libelle}",
        ),
    ]


def _par_typologie_et_statut(qs, **agregats) -> dict:
    """Agrégats par (typologie, mutation), plus totaux par typologie, par statut et général."""
    resultats: dict = {}
    for r in qs.values("typologie", "mutation").annotate(**agregats):
        for cle in {(r["typologie"], r["mutation"]), (r["typologie"], TOTAL), (TOTAL, r["mutation"]), (TOTAL, TOTAL)}:
            cumul = resultats.setdefault(cle, dict.fromkeys(agregats, 0))
            for k in agregats:
                cumul[k] += r[k] or 0
    return resultats


LIGNES_TYPOLOGIE = [(t, str(SOURCES["demandes"].dimensions["typologie"].libelles([t])[t])) for t in TYPOLOGIES]
LIGNES_STATUT = [(False, "Demandes externes"), (True, "Locataires HLM (mutations)")]


def pression(photo, t: Territoire, annee: int) -> list[Grille]:
    source = SOURCES["demandes"]
    demandes = _par_typologie_et_statut(
        requete(source, photo, _f_demandes(t), modele=source.cube), n=source.mesures_cube["nombre"].somme
    )
    attributions = SOURCES["attributions"]
    attrib = _par_typologie_et_statut(
        requete(attributions, photo, {**_f_autres(t), "annee": annee}, modele=attributions.cube),
        n=attributions.mesures_cube["nombre"].somme,
    )

    def ligne(cle):
        d = demandes.get(cle, {}).get("n", 0)
        a = attrib.get(cle, {}).get("n", 0)
        return [d, a, _ratio(d, a), _pct(a, d)]

    entetes = ["", "Demandes en cours", f"Attributions {annee}", "Pression", "Taux de satisfaction (%)"]
    notes = [
        "Pression = demandes en cours à la date de la photo / attributions de l'année (seed 000) ; "
        "taux de satisfaction = attributions de l'année / demandes en cours (domain.md §7 : 5 930 / 37 294 "
        "= 15,9 % pour Nantes Métropole en 2022)."
    ]
    return [
        Grille(
            f"Pression de la demande et taux de satisfaction par typologie – {t.libelle}",
            entetes,
            [(lib, ligne((code, TOTAL))) for code, lib in LIGNES_TYPOLOGIE],
            ("Total", ligne((TOTAL, TOTAL))),
            notes,
        ),
        Grille(
            f"Pression de la demande : demandes externes et mutations – {t.libelle}",
            entetes,
            [(lib, ligne((TOTAL, code))) for code, lib in LIGNES_STATUT],
            ("Total", ligne((TOTAL, TOTAL))),
        ),
    ]


def anciennete(photo, t: Territoire, annee: int) -> list[Grille]:
    f = _f_demandes(t)
    return [
        grille_de(
            croiser("demandes", photo, ligne="tranche_anciennete", colonne="mutation", filtres=f),
            titre=f"Ancienneté des demandes en cours – {t.libelle}",
        ),
        grille_de(
            croiser("demandes", photo, ligne="typologie", colonne="mutation", mesure="anciennete", filtres=f),
            titre=f"Ancienneté moyenne des demandes en cours (mois) – {t.libelle}",
        ),
    ]


def mediane(histogramme: dict[int, int]) -> float | None:
    """Médiane d'un histogramme {valeur: effectif}, comme ``percentile_cont(0.5)`` : la valeur du milieu, ou la
    moyenne des deux valeurs du milieu pour un effectif pair."""
    n = sum(histogramme.values())
    if not n:
        return None
    rangs = [(n - 1) // 2, n // 2]
    valeurs, vu = [], 0
    for valeur in sorted(histogramme):
        suivant = vu + histogramme[valeur]
        valeurs += [valeur for r in rangs if vu <= r < suivant]
        vu = suivant
    return sum(valeurs) / 2


def delais(photo, t: Territoire, annee: int) -> list[Grille]:
    """Délais moyen et médian, lus dans le cube des délais de la photo (histogramme typologie × statut × délai).

    Jumeau sur les baux de la photo : ``tests/observatoire/test_photos.py``
    (``test_le_cube_des_delais_donne_les_delais_des_baux``)."""
    qs = requete(SOURCES["attributions"], photo, {**_f_autres(t), "annee": annee}, modele=PhotoDelaiCube)
    histogrammes: dict = {}
    for typologie, mutation, delai, n in qs.values_list("typologie", "mutation", "delai_mois").annotate(n=Sum("nb")):
        for cle in (("typologie", typologie), ("mutation", mutation), ("ensemble", None)):
            histo = histogrammes.setdefault(cle, {})
            histo[delai] = histo.get(delai, 0) + n

    def ligne(cle):
        histo = histogrammes.get(cle)
        if not histo:
            return [0, None, None]
        n = sum(histo.values())
        return [n, _arrondi(sum(v * k for v, k in histo.items()) / n), _arrondi(mediane(histo))]

    entetes = ["", "Attributions", "Délai moyen (mois)", "Délai médian (mois)"]
    notes = ["Délai d'attribution : du dépôt de la demande à la signature du bail, en mois entiers."]
    return [
        Grille(
            f"Délai d'attribution {annee} par typologie – {t.libelle}",
            entetes,
            [(lib, ligne(("typologie", code))) for code, lib in LIGNES_TYPOLOGIE],
            ("Ensemble", ligne(("ensemble", None))),
            notes,
        ),
        Grille(
            f"Délai d'attribution {annee} : demandes externes et mutations – {t.libelle}",
            entetes,
            [(lib, ligne(("mutation", code))) for code, lib in LIGNES_STATUT],
            ("Ensemble", ligne(("ensemble", None))),
        ),
    ]


def mutations(photo, t: Territoire, annee: int) -> list[Grille]:
    niveau = t.sous_niveau() if t.sous_niveau() != "quartier" else "commune"
    demandes = croiser("demandes", photo, ligne=niveau, colonne="mutation", filtres=_f_demandes(t))
    logements = croiser("logements", photo, ligne=niveau, filtres=_f_autres(t))
    lignes = []
    for code, libelle in [*demandes.lignes, (TOTAL, "Total")]:
        total = demandes.valeur(code, TOTAL)
        externes, hlm = demandes.valeur(code, False), demandes.valeur(code, True)
        parc_ = logements.valeur(code, TOTAL)
        lignes.append(
            (libelle, [total, externes, _pct(externes, total), hlm, _pct(hlm, total), parc_, _pct(total, parc_)])
        )
    total = lignes.pop()
    return [
        Grille(
            f"Demandes externes et locataires HLM – {t.libelle}",
            [
                demandes.ligne.libelle,
                "Demandes en cours",
                "Demandes externes",
                "Part (%)",
                "Locataires HLM",
                "Part (%)",
                "Parc social",
                "Demandes / parc (%)",
            ],
            lignes,
            total,
        )
    ]


def prioritaires(photo, t: Territoire, annee: int) -> list[Grille]:
    niveau = t.sous_niveau() if t.sous_niveau() != "quartier" else "commune"
    return [
        grille_de(
            croiser("demandes", photo, ligne=niveau, colonne="prioritaire", filtres=_f_demandes(t)),
            titre=f"Demandes en cours des ménages prioritaires – {t.libelle}",
            notes=["Ménage prioritaire : un label de priorité posé par un partenaire, actif à la date de la photo."],
        ),
        grille_de(
            croiser(
                "attributions",
                photo,
                ligne=niveau if niveau != "quartier" else "commune",
                colonne="prioritaire",
                filtres={**_f_autres(t), "annee": annee},
            ),
            titre=f"Attributions {annee} aux ménages prioritaires – {t.libelle}",
        ),
    ]


def chiffres_cles(photo, t: Territoire, annee: int) -> list[Grille]:
    """Les « chiffres clés » d'une commune ou d'un EPCI (seed 000 : Sautron au 08/10/2021)."""
    demandes = croiser("demandes", photo, ligne=None, colonne="typologie", filtres=_f_demandes(t))
    logements = croiser("logements", photo, ligne=None, colonne="typologie", filtres=_f_autres(t))
    attrib = croiser("attributions", photo, ligne=None, colonne="typologie", filtres={**_f_autres(t), "annee": annee})
    lignes = [
        ("Demandes en cours", [demandes.valeur(TOTAL, c) for c in TYPOLOGIES] + [demandes.total]),
        ("Patrimoine de logements", [logements.valeur(TOTAL, c) for c in TYPOLOGIES] + [logements.total]),
        (f"Attributions {annee}", [attrib.valeur(TOTAL, c) for c in TYPOLOGIES] + [attrib.total]),
    ]
    bailleurs = requete(SOURCES["logements"], photo, _f_autres(t)).values("bailleur").distinct().count()
    return [
        Grille(
            f"Chiffres clés – {t.libelle}",
            ["Typologie", *[lib for _, lib in LIGNES_TYPOLOGIE], "Total"],
            lignes,
            notes=[f"Nombre total de bailleurs présents sur le territoire : {bailleurs}."],
        )
    ]


@dataclass(frozen=True)
class TableauStandard:
    code: str
    titre: str
    description: str
    fonction: Callable[..., list[Grille]]


TABLEAUX = {
    t.code: t
    for t in (
        TableauStandard(
            "chiffres-cles", "Chiffres clés", "Demandes, patrimoine et attributions par typologie.", chiffres_cles
        ),
        TableauStandard(
            "demandes",
            "Demandes en cours",
            "Par typologie, catégorie de logement et catégorie de ménage.",
            demandes_typologie,
        ),
        TableauStandard(
            "territoires",
            "Demandes par territoire",
            "Par EPCI, commune ou quartier du premier choix.",
            demandes_territoire,
        ),
        TableauStandard("parc", "Parc et vacances", "Patrimoine social par catégorie, typologie et bailleur.", parc),
        TableauStandard(
            "attributions", "Attributions de l'année", "Baux signés par territoire et bailleur.", attributions
        ),
        TableauStandard("pression", "Pression et satisfaction", "Demandes en cours / attributions.", pression),
        TableauStandard("anciennete", "Ancienneté", "Tranches d'ancienneté, externes et mutations.", anciennete),
        TableauStandard("delais", "Délais d'attribution", "Délai moyen et médian, du dépôt au bail.", delais),
        TableauStandard("mutations", "Externes et mutations", "Demandes externes et locataires HLM.", mutations),
        TableauStandard("prioritaires", "Ménages prioritaires", "Demandes et attributions prioritaires.", prioritaires),
    )
}


def annees_attributions(photo) -> list[int]:
    """Les années des baux de la photo (lues dans le cube : quelques milliers de lignes)."""
    return sorted(
        PhotoAttributionCube.objects.filter(photo=photo).order_by().values_list("annee", flat=True).distinct(),
        reverse=True,
    )
