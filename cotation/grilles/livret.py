"""Livret du demandeur « Ma demande de logement social — la cotation » (seed 001, annexe 1).

La grille mise en mots pour le demandeur : familles en titres, chaque critère
avec ses points (« +20 »), ses paliers (« Entre 6 et 18 mois : +5 »), ses
décotes limitées dans le temps (« De 1 à 3 refus : −5 pendant 12 mois ») et
ses mentions « sauf si… » ; le texte d'introduction, la date d'effet et la
délibération de la grille. Une page HTML (imprimable) et un PDF WeasyPrint
rendus du même gabarit (``templates/cotation/grilles/_livret_contenu.html``), sans
ressource externe (récupérateur d'URL des éditions des demandes : seuls les
fichiers statiques du projet).
"""

from __future__ import annotations

from django.utils import timezone

from cotation.calcul.models import Grille
from cotation.calcul.regles import REGLES
from demandes.editions import pdf as editions

#: Feuille d'impression du livret (static/css/cotation_livret.css).
FEUILLE_LIVRET = "css/cotation_livret.css"
TITRE = "Ma demande de logement social — la cotation"

#: Unité des bornes des paliers, par règle (pour un palier sans libellé).
UNITES = {"anciennete": "mois", "refus": "refus", "sous_occupation": "pièce(s) en trop"}


def points_texte(points: int) -> str:
    """« +20 », « −5 » (signe moins typographique), « 0 »."""
    if points > 0:
        return f"+{points}"
    if points < 0:
        return f"\u2212{-points}"
    return "0"


def _duree(mois: int | None) -> str:
    return f"pendant {mois} mois" if mois else ""


def libelle_palier(p: dict, regle: str) -> str:
    if p.get("libelle"):
        return p["libelle"]
    unite = UNITES.get(regle, "")
    if p.get("max") is None:
        return f"À partir de {p['min']} {unite}".strip()
    if p["max"] == p["min"] + 1:
        return f"{p['min']} {unite}".strip()
    return f"De {p['min']} à {p['max'] - 1} {unite}".strip()


def critere_du_livret(c) -> dict:
    description = REGLES.get(c.regle)
    par_paliers = bool(description and description.paliers and c.paliers)
    paliers = []
    if par_paliers:
        for p in c.paliers:
            duree = _duree(p.get("duree_mois") or c.duree_mois)
            paliers.append(
                {
                    "libelle": libelle_palier(p, c.regle),
                    "points": points_texte(p["points"]),
                    "negatif": p["points"] < 0,
                    "duree": duree,
                }
            )
    return {
        "code": c.code,
        "libelle": c.libelle,
        "points": "" if par_paliers else points_texte(c.points),
        "negatif": (not par_paliers) and c.points < 0,
        "duree": "" if par_paliers else _duree(c.duree_mois),
        "paliers": paliers,
        "mention": c.mention_exclusion,
    }


def contenu_livret(grille: Grille) -> dict:
    """Familles (dans l'ordre) et leurs critères, en mots du demandeur."""
    familles = list(grille.familles.all())
    libelles = {f.code: f.libelle for f in familles}
    par_famille: dict[int, list] = {}
    for c in grille.criteres.all().order_by("ordre", "id"):
        par_famille.setdefault(c.famille_id, []).append(critere_du_livret(c))
    blocs = []
    for f in familles:
        notes = []
        if f.cumul == f.Cumul.MAXIMUM and len(par_famille.get(f.pk, [])) > 1:
            notes.append("Les points de ces critères ne s'additionnent pas : seul le plus favorable compte.")
        if f.exclue_si_familles:
            noms = " ou ".join(f"« {libelles.get(code, code)} »" for code in f.exclue_si_familles)
            notes.append(f"Ces points ne s'ajoutent pas à ceux accordés au titre de {noms}.")
        blocs.append({"code": f.code, "libelle": f.libelle, "notes": notes, "criteres": par_famille.get(f.pk, [])})
    return {
        "grille": grille,
        "titre": TITRE,
        "familles": blocs,
        "negatif_possible": grille.total_plancher is None,
        "edite_le": timezone.localtime(),
    }


def pdf_livret(grille: Grille) -> bytes:
    """Le livret en PDF A4 (balisé pour les lecteurs d'écran), sans ressource externe (moteur des éditions)."""
    return editions.rendre_pdf("cotation/grilles/livret_pdf.html", contenu_livret(grille), feuille=FEUILLE_LIVRET)


def nom_fichier(grille: Grille) -> str:
    return f"livret-cotation-{grille.epci_id}-v{grille.version}.pdf"
