"""Compilation des grilles en SQL : le recalcul de tout le fichier, ensembliste, dans PostgreSQL.

Le moteur Python (``moteur.coter`` et ``regles``) reste la référence : il cote
une demande dans la transaction d'un service, le delta de nuit et l'étude
d'impact. Pour recoter tout le fichier (entrée en vigueur d'une grille), lire
les faits en Python, coter et réécrire le million de résultats coûte dix fois
l'``UPDATE`` qui réécrit ces lignes ; ici chaque grille en vigueur devient une
requête qui calcule les mêmes lignes que ``resultats_sql.ecrire_paquet`` (grille,
total, lignes JSON avec leurs raisons en français, prochaine échéance, commune
du premier choix, plus petite typologie) pour une tranche d'identifiants, puis
écrit l'historique des totaux et les résultats dans la même instruction.

Traduction règle par règle (``REGLES``) ; les textes (raisons, dates au format
jj/mm/aaaa, euros arrondis au pair avec l'espace fine insécable des milliers,
taux arrondi au dixième au pair comme ``Decimal.quantize``), l'arithmétique des
mois (``regles.ajouter_mois`` / ``mois_entre``) et les exclusions du moteur
(familles exclues, « sauf si », cumul « maximum » qui garde la première ligne
la plus favorable, plancher) sont reproduits à l'identique ; un test d'accord
(tests/cotation/calcul/test_sql.py) compare les deux chemins ligne à ligne.

Les paramètres d'une grille sont des données saisies par les gestionnaires :
ils entrent dans le SQL comme littéraux de ``psycopg.sql`` (jamais par
formatage de texte). Une grille dont un paramètre n'a pas la forme que la
validation des grilles admet (``grilles.services.erreurs_parametres``,
``erreurs_paliers``) n'est pas traduite (``NonTraduisible``) : le recalcul
passe alors par le moteur Python, qui reste juste dans tous les cas.

Découpage : tranches d'identifiants de demandes (``TAILLE_TRANCHE``), chacune
dans sa transaction (mémoire constante, reprise par ``depuis``) ; deux
connexions peuvent prendre les tranches à tour de rôle (deux cœurs).
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection, connections, transaction
from django.utils import timezone
from psycopg import sql

from demandes.dossier import choix

from .faits import EVENEMENTS_COTATION, ORDRE_TYPOLOGIES, ROLES_TITULAIRES
from .moteur import CritereCompile, GrilleCompilee
from .regles import libelle_palier

TAILLE_TRANCHE = 50_000
CONNEXIONS = 2
MOIS_MAX = 9999  # au-delà, ``regles.ajouter_mois`` sort des dates de Python : le moteur Python tranche
ENTIER_MAX = 10**9

S = sql.SQL
L = sql.Literal


def J(texte: str) -> sql.Literal:
    """Texte constant d'une raison ou d'une exclusion, déjà échappé pour une chaîne JSON : les lignes sont écrites
    en texte JSON puis lues une fois en ``jsonb``."""
    return L(json.dumps(texte, ensure_ascii=False)[1:-1])


REFUS_POSITIONNEMENT = "refus_positionnement"
REFUS_ATTRIBUTION = "refus_attribution"
PASSAGE_CAL = "passage_cal"
assert {REFUS_POSITIONNEMENT, REFUS_ATTRIBUTION, PASSAGE_CAL} == set(EVENEMENTS_COTATION)


class NonTraduisible(ValueError):
    """Une grille que le SQL ne sait pas reproduire exactement (paramètre hors de la forme validée)."""


# ---------------------------------------------------------------- petites briques SQL


def _joindre(parties, sep: str = ", ") -> sql.Composed:
    return S(sep).join(list(parties))


def _jj(expr) -> sql.Composed:
    """``regles._jj`` : jj/mm/aaaa."""
    return S("to_char({}, 'DD/MM/YYYY')").format(expr)


def _plus_mois(expr, mois) -> sql.Composed:
    """``regles.ajouter_mois`` : PostgreSQL ramène aussi le jour au dernier du mois (31/01 + 1 mois = 28 ou 29/02)."""
    return S("({} + make_interval(months => {}))::date").format(expr, mois)


def _mois_entre(debut, le: date) -> sql.Composed:
    """``regles.mois_entre(debut, le)`` : mois entiers révolus, 0 si ``le`` précède ``debut``.

    Pas ``age()`` : PostgreSQL y emprunte des jours (``age('2024-02-29', '2024-01-31')`` = 29 jours) là où
    ``mois_entre`` compte 1 mois (31/01 + 1 mois = 29/02)."""
    n = S("({} - (date_part('year', {})::int * 12 + date_part('month', {})::int))").format(
        L(le.year * 12 + le.month), debut, debut
    )
    return S("CASE WHEN {le} < {d} THEN 0 ELSE {n} - CASE WHEN {plus} > {le} THEN 1 ELSE 0 END END").format(
        le=L(le), d=debut, n=n, plus=_plus_mois(debut, n)
    )


def _arrondi_pair(num, den) -> sql.Composed:
    """Quotient entier de ``num`` / ``den`` (positifs) arrondi au pair, calculé exactement (``div``/``mod``)."""
    return S(
        "CASE WHEN 2 * mod({n}, {d}) > {d} THEN div({n}, {d}) + 1 WHEN 2 * mod({n}, {d}) < {d} THEN div({n}, {d}) "
        "ELSE div({n}, {d}) + mod(div({n}, {d}), 2) END"
    ).format(n=num, d=den)


def _euros(expr) -> sql.Composed:
    """``regles._euros`` : ``f"{v:,.0f}"`` (arrondi au pair, signe gardé même à 0) et espace fine insécable."""
    a = S("abs({})").format(expr)
    entier = S("CASE WHEN {a} - trunc({a}) = 0.5 THEN trunc({a}) + mod(trunc({a}), 2) ELSE round({a}) END").format(a=a)
    return S(
        "CASE WHEN {v} < 0 THEN '-' ELSE '' END || regexp_replace(({e})::text, {motif}, {remplace}, 'g') || {eur}"
    ).format(v=expr, e=entier, motif=L(r"(\d)(?=(\d{3})+$)"), remplace=L("\\1\u202f"), eur=L(" €"))


def _taux(loyer, ressources) -> sql.Composed:
    """``(loyer * 100 / ressources).quantize(Decimal("0.1"))`` (arrondi au pair), virgule décimale, « % »."""
    dixiemes = _arrondi_pair(S("({} * 1000)").format(loyer), ressources)
    return S("replace(round(({}) / 10.0, 1)::text, '.', ',') || ' %'").format(dixiemes)


def _dans(expr, valeurs) -> sql.Composable:
    valeurs = list(valeurs)
    if not valeurs:
        return S("false")
    return S("{} IN ({})").format(expr, _joindre(L(v) for v in valeurs))


def _cas(branches, sinon=None) -> sql.Composable:
    """``CASE WHEN c THEN v … [ELSE s] END`` ; sans branche : ``sinon`` (ou NULL)."""
    branches = list(branches)
    if not branches:
        return sinon if sinon is not None else S("NULL")
    corps = _joindre((S("WHEN {} THEN {}").format(c, v) for c, v in branches), " ")
    if sinon is not None:
        return S("CASE {} ELSE {} END").format(corps, sinon)
    return S("CASE {} END").format(corps)


def _ou(termes) -> sql.Composable:
    termes = list(termes)
    if not termes:
        return S("false")
    return S("({})").format(_joindre(termes, " OR "))


def _concat(parties) -> sql.Composable:
    """Concaténation de textes : ``str`` (texte constant, fusionné avec ses voisins) ou expression SQL."""
    fusion: list = []
    for p in parties:
        if isinstance(p, str) and fusion and isinstance(fusion[-1], str):
            fusion[-1] += p
        else:
            fusion.append(p)
    return S("({})").format(_joindre((L(p) if isinstance(p, str) else p for p in fusion), " || "))


def _col(prefixe: str, i: int) -> sql.Identifier:
    return sql.Identifier(f"{prefixe}{i}")


# ---------------------------------------------------------------- validation des paramètres


def _entier(valeur, quoi: str, *, borne: int = ENTIER_MAX) -> int:
    if type(valeur) is not int or abs(valeur) > borne:
        raise NonTraduisible(f"{quoi} : entier attendu, reçu {valeur!r}.")
    return valeur


def _codes(parametres: dict, cle: str, admis: dict | None = None) -> list[str]:
    """Liste de codes d'un paramètre (absent : aucun, comme ``parametres.get(cle, ())``)."""
    valeur = parametres.get(cle, ())
    if not isinstance(valeur, (list, tuple)) or not all(isinstance(x, str) for x in valeur):
        raise NonTraduisible(f"« {cle} » : liste de codes attendue, reçu {valeur!r}.")
    if admis is not None:
        inconnus = [x for x in valeur if x not in admis]
        if inconnus:
            raise NonTraduisible(f"« {cle} » : codes inconnus {inconnus!r}.")
    return list(valeur)


def _nombre(parametres: dict, cle: str, defaut):
    valeur = parametres.get(cle, defaut)
    if type(valeur) is int and abs(valeur) <= ENTIER_MAX:
        return valeur
    if type(valeur) is float and math.isfinite(valeur) and abs(valeur) <= ENTIER_MAX:
        return valeur
    raise NonTraduisible(f"« {cle} » : nombre attendu, reçu {valeur!r}.")


@dataclass(frozen=True)
class _Palier:
    min: int
    max: int | None
    points: int
    duree_mois: int | None
    libelle: str


def _paliers(c: CritereCompile, unite: str, *, mois: bool = False) -> list[_Palier]:
    paliers = []
    for p in c.paliers:
        if not isinstance(p, dict):
            raise NonTraduisible(f"Critère « {c.code} » : palier {p!r}.")
        borne = MOIS_MAX if mois else ENTIER_MAX
        bas = _entier(p.get("min"), f"{c.code} : min", borne=borne)
        haut = p.get("max")
        haut = None if haut is None else _entier(haut, f"{c.code} : max", borne=borne)
        points = _entier(p.get("points"), f"{c.code} : points")
        # ``p.get("duree_mois") or c.duree_mois`` : une durée vide ou nulle laisse celle du critère.
        duree = p.get("duree_mois")
        duree = _entier(duree, f"{c.code} : duree_mois", borne=MOIS_MAX) if duree else None
        libelle = p.get("libelle")
        if libelle and not isinstance(libelle, str):
            raise NonTraduisible(f"Critère « {c.code} » : libellé de palier {libelle!r}.")
        paliers.append(_Palier(bas, haut, points, duree, libelle_palier(p, unite)))
    return paliers


def _palier_indice(paliers: list[_Palier], valeur) -> sql.Composable:
    """Rang (1…) du premier palier où ``min`` ≤ valeur < ``max`` (``regles.palier_de``), NULL sinon."""
    branches = []
    for k, p in enumerate(paliers, 1):
        condition = S("{} >= {}").format(valeur, L(p.min))
        if p.max is not None:
            condition = S("{} AND {} < {}").format(condition, valeur, L(p.max))
        branches.append((condition, L(k)))
    return _cas(branches)


def _selon_palier(indice, paliers: list[_Palier], attribut: str) -> sql.Composable:
    """Attribut du palier de rang ``indice`` (le libellé : échappé pour JSON)."""
    lit = J if attribut == "libelle" else L
    return _cas((S("{} = {}").format(indice, L(k)), lit(getattr(p, attribut))) for k, p in enumerate(paliers, 1))


# ---------------------------------------------------------------- traduction d'un critère


@dataclass
class _Traduction:
    """Un critère traduit : colonnes intermédiaires, retenu, points, échéance, raison et fin des points.

    Chaque expression lit par leur nom les colonnes des couches précédentes (faits, puis couche g) ; la
    raison est un texte déjà échappé pour JSON."""

    g: list = field(default_factory=list)  # [(nom, expression)] de la couche g
    retenu: sql.Composable = field(default_factory=lambda: S("false"))
    points: sql.Composable = field(default_factory=lambda: S("NULL::int"))
    echeance: sql.Composable | None = None  # date où l'évaluation change (même non retenue)
    raison: sql.Composable = field(default_factory=lambda: S("NULL::text"))  # lue pour une ligne retenue
    jusqu_au: sql.Composable | None = None  # None : jamais de date de fin


@dataclass
class Besoins:
    """Faits à lire pour une tranche (union des besoins des grilles)."""

    labels: set = field(default_factory=set)
    activites: set = field(default_factory=set)
    # (EPCI, statut) des critères « taux d'effort » : les ressources du ménage ne sont lues que pour eux
    ressources: set = field(default_factory=set)
    anciennete: bool = False
    refus: set = field(default_factory=set)  # {(type d'événement, période en mois)}
    passages_cal: bool = False

    def ajouter(self, autre: Besoins) -> None:
        self.labels |= autre.labels
        self.activites |= autre.activites
        self.ressources |= autre.ressources
        self.anciennete |= autre.anciennete
        self.refus |= autre.refus
        self.passages_cal |= autre.passages_cal


def _colonne_refus(evenement: str, suffixe: str, periode: int | None = None) -> sql.Identifier:
    court = "pos" if evenement == REFUS_POSITIONNEMENT else "att"
    nom = f"{suffixe}_{court}" + ("" if periode is None else f"_{periode}".replace("-", "m"))
    return sql.Identifier(nom)


def _traduire_critere(c: CritereCompile, i: int, le: date, besoins: Besoins) -> _Traduction:
    p = c.parametres
    t = _Traduction()
    points = L(_entier(c.points, f"{c.code} : points"))
    g = _col("g", i)
    if c.regle == "label":
        codes = _codes(p, "labels")
        besoins.labels.update(codes)
        raison = _cas(
            (
                S("(lab -> {}) IS NOT NULL").format(L(code)),
                # libellé lu en chaîne JSON (échappée) dont on retire les guillemets
                S("{} || substr((lab -> {c})::text, 2, length((lab -> {c})::text) - 2) || {}").format(
                    J("Label « "), J(" » posé sur la demande."), c=L(code)
                ),
            )
            for code in codes
        )
        t.g.append((g, raison))
        t.retenu, t.points, t.raison = S("{} IS NOT NULL").format(g), points, S("{}").format(g)
    elif c.regle in ("motif", "activite"):
        branches = []
        if c.regle == "activite":
            codes = _codes(p, "activites", dict(choix.Activite.choices))
            besoins.activites.update(codes)
            branches += [
                (S("{} = ANY(activites)").format(L(code)), J(f"Activité déclarée : « {choix.Activite(code).label} »."))
                for code in codes
            ]
        codes = _codes(p, "motifs", dict(choix.Motif.choices))
        branches += [
            (S("{} = ANY(motifs)").format(L(code)), J(f"Motif déclaré : « {choix.Motif(code).label} »."))
            for code in codes
        ]
        t.g.append((g, _cas(branches)))
        t.retenu, t.points, t.raison = S("{} IS NOT NULL").format(g), points, S("{}").format(g)
    elif c.regle == "statut_occupation":
        statuts = _codes(p, "statuts", dict(choix.StatutOccupation.choices))
        raison = _cas(
            (
                S("statut = {}").format(L(s)),
                J(f"Situation actuelle : « {choix.StatutOccupation(s).label} »."),
            )
            for s in dict.fromkeys(statuts)
        )
        t.g.append((g, raison))
        t.retenu, t.points, t.raison = S("{} IS NOT NULL").format(g), points, S("{}").format(g)
    elif c.regle == "anciennete":
        besoins.anciennete = True
        paliers = _paliers(c, "mois", mois=True)
        suivant = _col("n", i)
        t.g.append((g, _palier_indice(paliers, S("mois"))))
        # Prochain palier : le plus petit « min » au-dessus de l'ancienneté actuelle.
        mins = sorted({q.min for q in paliers})
        t.g.append((suivant, _cas((S("mois < {}").format(L(m)), L(m)) for m in mins)))
        echeance = _plus_mois(S("date_depot"), S("{}").format(suivant))
        t.retenu = S("{} IS NOT NULL").format(g)
        t.points = _selon_palier(S("{}").format(g), paliers, "points")
        t.echeance = echeance
        t.raison = S("{} || {} || {} || mois::text || {} || {} || {}").format(
            J("Demande déposée le "),
            _jj(S("date_depot")),
            J(" : "),
            J(" mois d'ancienneté ("),
            _selon_palier(S("{}").format(g), paliers, "libelle"),
            J(")."),
        )
        t.jusqu_au = S("({} - 1)").format(echeance)
    elif c.regle == "sous_occupation":
        statuts = _codes(p, "statuts")
        paliers = _paliers(c, "pièce(s) en trop")
        condition = S("{} AND coalesce(pieces, 0) <> 0 AND coalesce(occupants, 0) <> 0").format(
            _dans(S("statut"), statuts)
        )
        t.g.append((g, _cas([(condition, _palier_indice(paliers, S("(pieces - occupants)")))])))
        t.retenu = S("{} IS NOT NULL").format(g)
        t.points = _selon_palier(S("{}").format(g), paliers, "points")
        t.raison = S("pieces::text || {} || occupants::text || {} || {} || '.'").format(
            J(" pièces pour "), J(" occupant(s) : "), _selon_palier(S("{}").format(g), paliers, "libelle")
        )
    elif c.regle == "sur_occupation":
        statuts = _codes(p, "statuts")
        valeur, texte = _norme(p)
        condition = S("{} AND coalesce(surface, 0) <> 0 AND coalesce(occupants, 0) <> 0").format(
            _dans(S("statut"), statuts)
        )
        t.g.append((g, _cas([(condition, valeur)])))
        t.retenu = S("surface < {}").format(g)
        t.points = points
        t.raison = S("surface::text || {} || occupants::text || {} || {} || {}").format(
            J(" m² pour "), J(" occupant(s) : moins que les "), texte, J(" m² de la norme de peuplement.")
        )
    elif c.regle == "taux_effort":
        statuts = _codes(p, "statuts")
        besoins.ressources.update(statuts)  # rapportés à l'EPCI de la grille par ``traduire``
        try:
            seuil = Decimal(str(p.get("seuil_pct", 33)))
        except Exception as erreur:  # noqa: BLE001 — le moteur Python lèverait la même erreur
            raise NonTraduisible(f"« seuil_pct » : {erreur!r}") from None
        if not seuil.is_finite() or isinstance(p.get("seuil_pct"), bool):
            raise NonTraduisible(f"« seuil_pct » : {p.get('seuil_pct')!r}")
        loyer = S("(loyer - coalesce(aides, 0))") if p.get("deduire_aides") else S("loyer")
        condition = S("{} AND coalesce(loyer, 0) <> 0").format(_dans(S("statut"), statuts))
        t.g.append((g, _cas([(condition, loyer)])))
        lo = S("{}").format(g)
        t.retenu = S("{lo} > 0 AND NOT (ressources > 0 AND {lo} * 100 <= {seuil} * ressources)").format(
            lo=lo, seuil=L(seuil)
        )
        t.points = points
        t.raison = S("{} || {} || {} || {} || {} || {} || {}").format(
            J("Loyer de "),
            _euros(lo),
            J(" pour "),
            _euros(S("ressources")),
            J(" de ressources mensuelles : "),
            _cas([(S("ressources > 0"), _taux(lo, S("ressources")))], J("sans ressources déclarées")),
            J(f" (seuil {seuil} %)."),
        )
    elif c.regle == "refus":
        attribution = p.get("evenement") == "refus_attribution"
        evenement = REFUS_ATTRIBUTION if attribution else REFUS_POSITIONNEMENT
        try:
            periode = int(p.get("periode_mois", 24))
        except Exception as erreur:  # noqa: BLE001
            raise NonTraduisible(f"« periode_mois » : {erreur!r}") from None
        if abs(periode) > MOIS_MAX:
            raise NonTraduisible(f"« periode_mois » : {periode}")
        besoins.refus.add((evenement, periode))
        duree_critere = c.duree_mois if c.duree_mois else None
        if duree_critere is not None:
            duree_critere = _entier(duree_critere, f"{c.code} : duree_mois", borne=MOIS_MAX)
        paliers = _paliers(c, "refus")
        dernier = S("{}").format(_colonne_refus(evenement, "dernier"))
        a_venir = S("{}").format(_colonne_refus(evenement, "avenir"))
        nombre = S("{}").format(_colonne_refus(evenement, "n", periode))
        fin = _col("fin", i)
        t.g.append((g, _cas([(S("{} IS NOT NULL").format(dernier), _palier_indice(paliers, nombre))])))
        fins = []
        for k, q in enumerate(paliers, 1):
            duree = q.duree_mois or duree_critere
            if duree:
                fins.append((S("{} = {}").format(_palier_indice(paliers, nombre), L(k)), _plus_mois(dernier, L(duree))))
        t.g.append((fin, _cas([(S("{} IS NOT NULL").format(dernier), S("({})::date").format(_cas(fins)))])))
        gi, gf = S("{}").format(g), S("{}").format(fin)
        t.retenu = S("{gi} IS NOT NULL AND ({gf} IS NULL OR {le} < {gf})").format(gi=gi, gf=gf, le=L(le))
        t.points = _selon_palier(gi, paliers, "points")
        t.echeance = S("CASE WHEN {r} THEN least({gf}, {av}) ELSE {av} END").format(r=t.retenu, gf=gf, av=a_venir)
        nature = (
            "refus d'un logement attribué en CAL" if attribution else "refus d'être positionné en CAL après un contact"
        )
        t.raison = S(
            "{n}::text || {nature} || {jj} || ')' "
            "|| CASE WHEN {gf} IS NOT NULL THEN {jusqu} || {fin} || '.' ELSE '' END"
        ).format(
            n=nombre,
            nature=J(f" {nature} (dernier le "),
            jj=_jj(dernier),
            gf=gf,
            jusqu=J(" : décote jusqu'au "),
            fin=_jj(S("({} - 1)").format(gf)),
        )
        t.jusqu_au = S("({} - 1)").format(gf)
    elif c.regle == "passage_cal_non_premier":
        besoins.passages_cal = True
        duree = c.duree_mois if c.duree_mois else None
        if duree is not None:
            duree = _entier(duree, f"{c.code} : duree_mois", borne=MOIS_MAX)
        fin = _plus_mois(S("cal_dernier"), L(duree)) if duree else S("NULL::date")
        t.g.append((g, fin))
        gf = S("{}").format(g)
        t.retenu = S("cal_dernier IS NOT NULL AND ({gf} IS NULL OR {le} < {gf})").format(gf=gf, le=L(le))
        t.points = points
        t.echeance = S("CASE WHEN {r} THEN least({gf}, cal_avenir) ELSE cal_avenir END").format(r=t.retenu, gf=gf)
        t.raison = S("{} || {} || {} || CASE WHEN {gf} IS NOT NULL THEN {jusqu} || {fin} || '.' ELSE '.' END").format(
            J("Passage en CAL le "),
            _jj(S("cal_dernier")),
            J(" sans être classé en première position"),
            gf=gf,
            jusqu=J(" : points jusqu'au "),
            fin=_jj(S("({} - 1)").format(gf)),
        )
        t.jusqu_au = S("({} - 1)").format(gf)
    else:
        raise NonTraduisible(f"Règle « {c.regle} » sans traduction SQL.")
    t.retenu = S("coalesce({}, false)").format(t.retenu)
    return t


def _norme(p: dict) -> tuple[sql.Composable, sql.Composable]:
    """Norme de surface de ``regles.sur_occupation`` : valeur (comparée à la surface) et texte de la raison.

    Entiers : arithmétique entière. Un nombre décimal (« 9.5 ») : arithmétique IEEE (``float8``, comme
    Python), et le texte suit ``str`` de Python (``25.0`` pour un flottant entier) selon le type du nombre
    que ``min`` garde."""
    une = _nombre(p, "surface_une_personne", 9)
    deux = _nombre(p, "surface_deux_personnes", 16)
    plus = _nombre(p, "surface_par_personne_en_plus", 9)
    plafond = _nombre(p, "surface_plafond", 70)

    def lit(v):
        return S("{}::float8").format(L(v)) if isinstance(v, float) else S("{}::bigint").format(L(v))

    def texte(v, flottant: bool):
        if not flottant:
            return S("({})::bigint::text").format(v)
        # float8 : représentation la plus courte qui relit le même nombre (extra_float_digits = 1), comme repr().
        return S("(CASE WHEN ({v})::text ~ '^-?[0-9]+$' THEN ({v})::text || '.0' ELSE ({v})::text END)").format(v=v)

    une_v = lit(une)
    n_v = S("({} + (occupants - 2) * {})").format(lit(deux), lit(plus))
    flottant_n = isinstance(deux, float) or isinstance(plus, float)
    pl = lit(plafond)
    valeur = S("CASE WHEN occupants = 1 THEN least({u}, {pl}) ELSE least({n}, {pl}) END").format(u=une_v, n=n_v, pl=pl)
    flottant_pl = isinstance(plafond, float)
    txt = S(
        "CASE WHEN occupants = 1 THEN (CASE WHEN {pl} < {u} THEN {tpl} ELSE {tu} END) "
        "ELSE (CASE WHEN {pl} < {n} THEN {tpl} ELSE {tn} END) END"
    ).format(
        pl=pl,
        u=une_v,
        n=n_v,
        tpl=texte(pl, flottant_pl),
        tu=texte(une_v, isinstance(une, float)),
        tn=texte(n_v, flottant_n),
    )
    return valeur, txt


# ---------------------------------------------------------------- traduction d'une grille


@dataclass(frozen=True)
class GrilleSql:
    """Une grille en vigueur traduite : la requête de sa branche (des faits aux lignes) et ses besoins."""

    grille_id: int
    epci: str
    branche: sql.Composable
    besoins: Besoins


def _exclusion(branches: list, sources, retenu, libelle, debut: str) -> None:
    """Une des trois exclusions de ``moteur.coter`` (famille exclue, « sauf si » critère, « sauf si »
    famille) : si une des ``sources`` est retenue, ``debut`` suivi des libellés de celles qui le sont."""
    if not sources:
        return
    noms = _joindre(S("CASE WHEN {} THEN {} END").format(retenu(x), J(f"« {libelle(x)} »")) for x in sources)
    branches.append((_ou(retenu(x) for x in sources), S("{} || concat_ws(', ', {}) || '.'").format(J(debut), noms)))


def traduire(grille: GrilleCompilee, le: date) -> GrilleSql:
    """Requête qui cote, à la date ``le``, les demandes de la tranche dont le premier choix est dans l'EPCI
    de ``grille`` ; colonnes : demande_id, grille_id, total, lignes, prochaine_echeance, commune_id,
    typologie. Lève ``NonTraduisible`` pour une grille que seul le moteur Python sait coter."""
    if grille.id is None or grille.epci is None:
        raise NonTraduisible("Grille sans identifiant ni territoire.")
    besoins = Besoins()
    criteres = list(grille.criteres)
    codes = [c.code for c in criteres]
    if len(set(codes)) != len(codes):
        raise NonTraduisible("Codes de critères en double.")
    for f in grille.familles.values():
        if f.cumul not in ("somme", "maximum"):
            raise NonTraduisible(f"Cumul « {f.cumul} ».")
    trad = [_traduire_critere(c, i, le, besoins) for i, c in enumerate(criteres)]
    besoins.ressources = {(grille.epci, s) for s in besoins.ressources}
    plancher = grille.total_plancher
    if plancher is not None:
        plancher = _entier(plancher, "total_plancher")

    # Couche g : colonnes intermédiaires de chaque critère (paliers, fins de points, textes des règles simples).
    g_cols = [S("{} AS {}").format(expr, nom) for t in trad for nom, expr in t.g]
    # Couche e : retenu et points de chaque critère, prochaine échéance.
    e_cols = []
    for i, t in enumerate(trad):
        e_cols.append(S("{} AS {}").format(t.retenu, _col("r", i)))
        # Points lus seulement pour un critère retenu (« compté » dans les couches suivantes) : pas de garde.
        e_cols.append(S("{} AS {}").format(t.points, _col("p", i)))
    echeances = [S("CASE WHEN {e} > {le} THEN {e} END").format(e=t.echeance, le=L(le)) for t in trad if t.echeance]
    e_cols.append(
        S("least({})::date AS echeance").format(_joindre(echeances)) if echeances else S("NULL::date AS echeance")
    )

    # Exclusions : couches par profondeur (un critère n'est exclu que par des critères qui le précèdent).
    familles = grille.familles
    compte = {}  # i -> expression « compté avant le cumul » (retenu et non exclu), en colonnes des couches
    profondeur = {}
    exclusions = {}  # i -> (profondeur, expression du texte d'exclusion)
    for i, c in enumerate(criteres):
        avant = range(i)
        fam_bloq = sorted(familles[c.famille].exclue_si_familles) if c.famille in familles else []
        par_famille = {
            f: [j for j in avant if criteres[j].famille == f] for f in set(fam_bloq) | set(c.exclu_si_familles)
        }
        crit_bloq = sorted(x for x in c.exclu_si if x in codes[:i])
        sources = {j for f in fam_bloq for j in par_famille[f]}
        sources |= {codes.index(x) for x in crit_bloq}
        sources |= {j for f in c.exclu_si_familles for j in par_famille[f]}
        if not sources:
            profondeur[i] = 0
            compte[i] = S("{}").format(_col("r", i))
            continue
        profondeur[i] = 1 + max(profondeur[j] for j in sources)

        def avant_famille(f, _pf=par_famille):
            """Un critère de la famille ``f``, avant celui-ci, compte (``familles_retenues`` du moteur)."""
            return _ou(compte[j] for j in _pf[f])

        branches = []
        _exclusion(
            branches,
            [f for f in fam_bloq if par_famille[f]],
            avant_famille,
            lambda f: familles[f].libelle,
            "Non cumulable : des points sont déjà accordés au titre de ",
        )
        _exclusion(
            branches,
            [codes.index(x) for x in crit_bloq],
            compte.__getitem__,
            lambda j: grille.libelles[codes[j]],
            "Non cumulable avec ",
        )
        _exclusion(
            branches,
            [f for f in sorted(c.exclu_si_familles) if par_famille[f] and f in familles],
            avant_famille,
            lambda f: familles[f].libelle,
            "Non cumulable avec les points accordés au titre de ",
        )
        if not branches:
            profondeur[i] = 0
            compte[i] = S("{}").format(_col("r", i))
            continue
        texte = S("CASE WHEN {} THEN {} END").format(_col("r", i), _cas(branches))
        exclusions[i] = (profondeur[i], texte)
        compte[i] = S("({} AND {} IS NULL)").format(_col("r", i), _col("x", i))
    couches_x = []
    for niveau in range(1, max(profondeur.values(), default=0) + 1):
        cols = [S("{} AS {}").format(texte, _col("x", i)) for i, (p, texte) in exclusions.items() if p == niveau]
        if cols:
            couches_x.append(cols)

    # Couche k : cumul « maximum » (la première ligne la plus favorable de la famille), points et exclusion finals.
    k_cols = []
    excluables = set()  # critères dont la ligne peut ne pas compter (exclusion ou cumul « maximum »)
    for i, c in enumerate(criteres):
        famille = familles.get(c.famille)
        x = _col("x", i) if i in exclusions else S("NULL::text")
        perdante = None
        if famille is not None and famille.cumul == "maximum":
            autres = [j for j in range(len(criteres)) if j != i and criteres[j].famille == c.famille]
            if autres:
                battue = _ou(
                    S("({} AND {} {} {})").format(compte[j], _col("p", j), S(">=" if j < i else ">"), _col("p", i))
                    for j in autres
                )
                perdante = S("({} AND {})").format(compte[i], battue)
        if perdante is None:
            k_cols.append(S("CASE WHEN {} THEN {} ELSE 0 END AS {}").format(compte[i], _col("p", i), _col("fp", i)))
            if i in exclusions:
                excluables.add(i)
                k_cols.append(S("coalesce({}, '') AS {}").format(x, _col("ex", i)))
        else:
            excluables.add(i)
            message = f"Non cumulable : « {famille.libelle} » ne compte que le critère le plus favorable."
            k_cols.append(
                S("CASE WHEN {} AND NOT {} THEN {} ELSE 0 END AS {}").format(
                    compte[i], perdante, _col("p", i), _col("fp", i)
                )
            )
            k_cols.append(
                S("CASE WHEN {x} IS NOT NULL THEN {x} WHEN {perd} THEN {m} ELSE '' END AS {ex}").format(
                    x=x, perd=perdante, m=J(message), ex=_col("ex", i)
                )
            )

    # Couche finale : total (plancher), lignes JSON dans l'ordre des critères, échéance.
    somme = (
        S("({})").format(_joindre((S("{}").format(_col("fp", i)) for i in range(len(criteres))), " + "))
        if criteres
        else S("0")
    )
    # Chaque ligne est écrite en texte JSON : en-tête constant (critère, libellé, famille) échappé par
    # ``json.dumps``, textes des raisons déjà échappés (``J``), nombres et dates sûrs ; le tableau est lu une
    # fois en ``jsonb`` (mêmes valeurs que ``Resultat.lignes_json()``).
    objets = []
    for i, (c, t) in enumerate(zip(criteres, trad, strict=True)):
        entete = json.dumps({"critere": c.code, "libelle": c.libelle, "famille": c.famille}, ensure_ascii=False)
        ex = _col("ex", i)
        parties = [entete[:-1] + ', "points": ', S("{}::text").format(_col("fp", i)), ', "raison": "', t.raison]
        if i in excluables:
            parties.append(S("CASE WHEN {ex} = '' THEN '' ELSE ' ' || {ex} END").format(ex=ex))
        parties.append('", "jusqu_au": ')
        if t.jusqu_au is None:
            parties.append("null")
        else:
            parties.append(S("""coalesce('"' || to_char({}, 'YYYY-MM-DD') || '"', 'null')""").format(t.jusqu_au))
        parties += [', "exclusion": "', ex, '"}'] if i in excluables else [', "exclusion": ""}']
        objets.append(S("CASE WHEN {} THEN {} END").format(_col("r", i), _concat(parties)))
    total = somme
    if plancher is not None:
        total = S("greatest({}, {})").format(somme, L(plancher))
        entete = json.dumps(
            {"critere": "plancher", "libelle": "Plancher de la grille", "famille": ""}, ensure_ascii=False
        )
        fin = json.dumps(
            {"raison": f"Le total ne descend pas sous {plancher} point(s).", "jusqu_au": None, "exclusion": ""},
            ensure_ascii=False,
        )
        objets.append(
            S("CASE WHEN {s} < {pl} THEN {entete} || ({pl} - {s})::text || {fin} END").format(
                s=somme, pl=L(plancher), entete=L(entete[:-1] + ', "points": '), fin=L(", " + fin[1:])
            )
        )
    lignes = S("('[' || concat_ws(', ', {}) || ']')::jsonb").format(_joindre(objets)) if objets else S("'[]'::jsonb")

    # Couches empilées sous ``OFFSET 0`` (sans barrière, PostgreSQL remonterait les sous-requêtes et
    # recopierait les expressions d'une couche dans chaque couche supérieure) ; chacune reprend toutes les
    # colonnes de la précédente, que les expressions lisent par leur nom (faits, g…, r…, p…, x…, fp…, ex…).
    faits = S("(SELECT * FROM faits WHERE epci_id = {} OFFSET 0)").format(L(grille.epci))
    requete = S("(SELECT f.*, {} FROM {} f OFFSET 0)").format(_joindre(g_cols), faits) if g_cols else faits
    requete = S("(SELECT g.*, {} FROM {} g OFFSET 0)").format(_joindre(e_cols), requete)
    for n, cols in enumerate(couches_x, 1):
        requete = S("(SELECT {a}.*, {cols} FROM {d} {a} OFFSET 0)").format(
            a=sql.Identifier(f"x{n}"), cols=_joindre(cols), d=requete
        )
    requete = S("(SELECT k.*, {} FROM {} k OFFSET 0)").format(_joindre(k_cols), requete)
    branche = S(
        "SELECT f.id AS demande_id, {g}::bigint AS grille_id, {total} AS total, {lignes} AS lignes, "
        "f.echeance AS prochaine_echeance, f.commune_id, f.typologie, f.territoire, "
        "f.existe, f.ancien_total, f.ancienne_grille, f.ancien_calcul FROM {req} f"
    ).format(g=L(grille.id), total=total, lignes=lignes, req=requete)
    return GrilleSql(grille.id, grille.epci, branche, besoins)


# ---------------------------------------------------------------- faits d'une tranche


def _faits(besoins: Besoins, debut: int, fin: int, le: date, fuseau: str, epcis: list[str]) -> sql.Composed:
    """CTE des faits d'une tranche d'identifiants : mêmes lectures que ``faits.charger``.

    Une ligne par (demande, territoire des choix doté d'une grille ``epcis``) — commune de plus petit rang dans
    ce territoire — ou, pour une demande qu'aucune grille ne cote, une ligne sans territoire (commune du
    premier choix)."""
    plage = S("BETWEEN {} AND {}").format(L(debut), L(fin))
    typologie = _cas(((S("{} = ANY(d.typologies)").format(L(t)), L(t)) for t in ORDRE_TYPOLOGIES), L(""))
    colonnes = [
        S("d.id"),
        S("d.date_depot"),
        S("coalesce(d.statut_occupation, '') AS statut"),
        S("coalesce(d.motifs, '{}') AS motifs"),
        S("d.pieces_actuelles AS pieces"),
        S("d.surface_actuelle AS surface"),
        S("coalesce(nullif(d.nb_occupants_actuels, 0), d.nb_personnes) AS occupants"),
        S("d.loyer_actuel AS loyer"),
        S("d.aides_logement AS aides"),
        S("{} AS typologie").format(typologie),
        S("coalesce(t.commune_id, pc.commune_id) AS commune_id"),
        S("t.epci_id"),
        S("coalesce(t.epci_id, '') AS territoire"),
    ]
    territoires = (
        S(
            "LEFT JOIN LATERAL (SELECT DISTINCT ON (co.epci_id) co.epci_id, l.commune_id "
            "FROM demandes_localisationsouhaitee l JOIN territoires_commune co ON co.code_insee = l.commune_id "
            "WHERE l.demande_id = d.id AND {} ORDER BY co.epci_id, l.rang) t ON true"
        ).format(_dans(S("co.epci_id"), epcis))
        if epcis
        else S("LEFT JOIN LATERAL (SELECT NULL::varchar AS epci_id, NULL::varchar AS commune_id) t ON true")
    )
    jointures = [
        # Premier choix : la localisation de plus petit rang (``faits_sql._SQL_CHOIX`` la joint aux communes :
        # la commune d'une localisation est toujours au référentiel, non nulle et protégée par sa clé étrangère) ;
        # puis chaque territoire des choix doté d'une grille (``faits.territoires_des_choix``).
        S(
            "LEFT JOIN LATERAL (SELECT l.commune_id FROM demandes_localisationsouhaitee l WHERE l.demande_id = d.id "
            "ORDER BY l.rang LIMIT 1) pc ON true"
        ),
        territoires,
    ]
    # Résultat précédent (historique des totaux, mise à jour ou insertion), lu dans la même passe par clé.
    colonnes += [
        S("r0.demande_id IS NOT NULL AS existe"),
        S("r0.total AS ancien_total"),
        S("r0.grille_id AS ancienne_grille"),
        S("r0.calcule_le AS ancien_calcul"),
    ]
    jointures.append(
        S(
            "LEFT JOIN cotation_resultatcotation r0 ON r0.demande_id = d.id "
            "AND r0.territoire = coalesce(t.epci_id, '') AND r0.demande_id {}"
        ).format(plage)
    )
    ctes = []
    if besoins.labels:
        ctes.append(
            S(
                "lab AS (SELECT l.demande_id, jsonb_object_agg(t.code, t.libelle) AS lab FROM demandes_label l "
                "JOIN demandes_typelabel t ON t.id = l.type_id WHERE l.demande_id {plage} AND l.date_retrait IS NULL "
                "AND {codes} GROUP BY l.demande_id)"
            ).format(plage=plage, codes=_dans(S("t.code"), sorted(besoins.labels)))
        )
        colonnes.append(S("lab.lab"))
        jointures.append(S("LEFT JOIN lab ON lab.demande_id = d.id"))
    else:
        colonnes.append(S("NULL::jsonb AS lab"))
    if besoins.activites:
        ctes.append(
            S(
                "act AS (SELECT demande_id, array_agg(activite) AS activites FROM demandes_personne "
                "WHERE demande_id {plage} AND {roles} AND {codes} GROUP BY demande_id)"
            ).format(
                plage=plage,
                roles=_dans(S("role"), [str(r) for r in ROLES_TITULAIRES]),
                codes=_dans(S("activite"), sorted(besoins.activites)),
            )
        )
        colonnes.append(S("act.activites"))
        jointures.append(S("LEFT JOIN act ON act.demande_id = d.id"))
    else:
        colonnes.append(S("NULL::text[] AS activites"))
    if besoins.ressources:
        # Lues seulement pour les demandes qu'un critère « taux d'effort » peut retenir (territoire, statut,
        # loyer) : une jointure par plage lirait toute la table des ressources (sans identifiant de demande).
        par_epci: dict[str, list[str]] = {}
        for epci, statut in sorted(besoins.ressources):
            par_epci.setdefault(epci, []).append(statut)
        candidates = _ou(
            S("(t.epci_id = {} AND {})").format(L(epci), _dans(S("coalesce(d.statut_occupation, '')"), statuts))
            for epci, statuts in par_epci.items()
        )
        colonnes.append(
            S(
                "CASE WHEN {candidates} AND coalesce(d.loyer_actuel, 0) <> 0 THEN (SELECT coalesce(sum(r.montant), 0) "
                "FROM demandes_personne p JOIN demandes_ressource r ON r.personne_id = p.id WHERE p.demande_id = d.id) "
                "ELSE 0 END AS ressources"
            ).format(candidates=candidates)
        )
    else:
        colonnes.append(S("0::numeric AS ressources"))
    if besoins.anciennete:
        colonnes.append(S("{} AS mois").format(_mois_entre(S("d.date_depot"), le)))
    else:
        colonnes.append(S("NULL::int AS mois"))
    types = sorted({e for e, _ in besoins.refus} | ({PASSAGE_CAL} if besoins.passages_cal else set()))
    ev_cols = []
    for evenement in sorted({e for e, _ in besoins.refus}):
        de_type = S("type = {}").format(L(evenement))
        ev_cols += [
            S("max(jour) FILTER (WHERE {} AND jour <= {}) AS {}").format(
                de_type, L(le), _colonne_refus(evenement, "dernier")
            ),
            S("min(jour) FILTER (WHERE {} AND jour > {}) AS {}").format(
                de_type, L(le), _colonne_refus(evenement, "avenir")
            ),
        ]
        # Les jours des refus faits au plus tard ``le`` : comptés ensuite sur la période de chaque critère.
        ev_cols.append(
            S("array_agg(jour) FILTER (WHERE {} AND jour <= {}) AS {}").format(
                de_type, L(le), _colonne_refus(evenement, "jours")
            )
        )
    if besoins.passages_cal:
        non_premier = S("type = {} AND rang > 1").format(L(PASSAGE_CAL))
        ev_cols += [
            S("max(jour) FILTER (WHERE {} AND jour <= {}) AS cal_dernier").format(non_premier, L(le)),
            S("min(jour) FILTER (WHERE {} AND jour > {}) AS cal_avenir").format(non_premier, L(le)),
        ]
    if types:
        # Jour de l'événement dans le fuseau de l'application (``timezone.localtime``) ; rang comme ``int()`` de
        # Python (blancs, signe, soulignés entre chiffres), sinon NULL.
        blancs = " \t\n\r\f\v"  # ceux que ``int()`` ignore autour du nombre (hors blancs Unicode)
        rang = S(
            "CASE WHEN type = {cal} AND details ->> 'rang' ~ {motif} "
            "THEN replace(btrim(details ->> 'rang', {blancs}), '_', '')::numeric END"
        ).format(cal=L(PASSAGE_CAL), motif=L(f"^[{blancs}]*[+-]?[0-9]+(_[0-9]+)*[{blancs}]*$"), blancs=L(blancs))
        # Par demande active (index partiel ``evenement_cotation``) : trois quarts des refus et passages en CAL
        # d'une plage appartiennent à des demandes closes, qu'une lecture par plage lirait aussi.
        jointures.append(
            S(
                "LEFT JOIN LATERAL (SELECT {cols} FROM ("
                "SELECT type, (date AT TIME ZONE {tz})::date AS jour, {rang} AS rang "
                "FROM demandes_evenement WHERE demande_id = d.id AND {types} OFFSET 0) e0) ev ON true"
            ).format(cols=_joindre(ev_cols), tz=L(fuseau), rang=rang, types=_dans(S("type"), types))
        )
    for evenement in (REFUS_POSITIONNEMENT, REFUS_ATTRIBUTION):
        presents = sorted(p for e, p in besoins.refus if e == evenement)
        if presents:
            colonnes += [
                S("ev.{}").format(_colonne_refus(evenement, "dernier")),
                S("ev.{}").format(_colonne_refus(evenement, "avenir")),
            ]
            # Refus comptés : ceux des ``periode`` mois qui finissent au dernier refus (``debut < jour <= dernier``).
            colonnes += [
                S(
                    "CASE WHEN ev.{jours} IS NULL THEN 0 ELSE "
                    "(SELECT count(*) FROM unnest(ev.{jours}) j WHERE j > {debut}) END AS {n}"
                ).format(
                    jours=_colonne_refus(evenement, "jours"),
                    debut=_plus_mois(S("ev.{}").format(_colonne_refus(evenement, "dernier")), L(-p)),
                    n=_colonne_refus(evenement, "n", p),
                )
                for p in presents
            ]
    if besoins.passages_cal:
        colonnes += [S("ev.cal_dernier"), S("ev.cal_avenir")]
    ctes.append(
        S("faits AS MATERIALIZED (SELECT {} FROM demandes_demande d {} WHERE d.etat = 'active' AND d.id {})").format(
            _joindre(colonnes), _joindre(jointures, " "), plage
        )
    )
    return _joindre(ctes)


# ---------------------------------------------------------------- instruction d'une tranche


def instruction(
    grilles: list[GrilleSql],
    besoins: Besoins,
    *,
    debut: int,
    fin: int,
    le: date,
    quand,
    motif: str,
    fuseau: str,
    ecrire: bool = True,
) -> sql.Composed:
    """Cote les demandes actives d'identifiant ``debut``…``fin`` et écrit historique et résultats.

    Même écriture que ``resultats_sql.ecrire_paquet`` : une ligne d'historique pour chaque total (ou grille)
    qui change ou chaque demande jamais cotée, puis le résultat de chaque demande (``calcule_le`` =
    ``quand``). Rend (demandes écrites, dont sans grille, totaux changés)."""
    branches = [g.branche for g in grilles]
    epcis = [g.epci for g in grilles]
    branches.append(
        S(
            "SELECT id AS demande_id, NULL::bigint AS grille_id, 0 AS total, '[]'::jsonb AS lignes, "
            "NULL::date AS prochaine_echeance, commune_id, typologie, territoire, existe, ancien_total, "
            "ancienne_grille, ancien_calcul FROM faits WHERE epci_id IS NULL"
        )
    )
    calc = _joindre((S("({})").format(b) for b in branches), " UNION ALL ")
    if not ecrire:  # lecture seule (mise au point, tests) : les lignes calculées
        return S(
            "WITH {}, calc AS ({}) SELECT demande_id, territoire, grille_id, total, lignes, prochaine_echeance, "
            "commune_id, typologie FROM calc ORDER BY demande_id, territoire"
        ).format(_faits(besoins, debut, fin, le, fuseau, epcis), calc)
    colonnes_maj = S(
        "grille_id = c.grille_id, total = c.total, lignes = c.lignes, calcule_le = {q}, "
        "prochaine_echeance = c.prochaine_echeance, commune_id = c.commune_id, typologie = c.typologie"
    ).format(q=L(quand))
    return S(
        "WITH {faits}, calc AS MATERIALIZED ({calc}), "
        "hist AS (INSERT INTO cotation_historiquecotation (demande_id, grille_id, total, date, motif, calcul_remplace) "
        "SELECT demande_id, grille_id, total, {q}, {motif}, ancien_calcul FROM calc "
        "WHERE NOT existe OR ancien_total <> total OR ancienne_grille IS DISTINCT FROM grille_id "
        # Au plus une ligne par résultat remplacé, même si un autre recalcul l'écrit en même temps.
        "ON CONFLICT DO NOTHING RETURNING 1), "
        # Résultats des territoires qui ne sont plus parmi les choix (demandes actives de la tranche). Les
        # territoires calculés d'une demande en un tableau : une jointure par clé, jamais l'anti-jointure en
        # boucle sur la CTE (dont l'estimation, une centaine de lignes pour vingt mille, la faisait quadratique :
        # 9 s pour 4 200 demandes au lieu de 0,2 s, docs/benchmarks.md).
        "obsoletes AS (DELETE FROM cotation_resultatcotation r "
        "USING (SELECT demande_id, array_agg(territoire) AS territoires FROM calc GROUP BY demande_id) k "
        "WHERE r.demande_id = k.demande_id AND r.demande_id {plage} AND r.territoire <> ALL (k.territoires)), "
        # Par clé, bornée à la tranche (un parcours par TID des lignes lues avec les faits coûtait trois fois plus).
        "maj AS (UPDATE cotation_resultatcotation r SET {maj} FROM calc c "
        "WHERE c.existe AND r.demande_id = c.demande_id AND r.territoire = c.territoire AND r.demande_id {plage} "
        "RETURNING r.demande_id, r.grille_id), "
        "ins AS (INSERT INTO cotation_resultatcotation "
        "(demande_id, territoire, grille_id, total, lignes, calcule_le, prochaine_echeance, commune_id, typologie) "
        "SELECT c.demande_id, c.territoire, c.grille_id, c.total, c.lignes, {q}, c.prochaine_echeance, c.commune_id, "
        "c.typologie FROM calc c WHERE NOT c.existe "
        "ON CONFLICT (demande_id, territoire) DO UPDATE SET grille_id = EXCLUDED.grille_id, total = EXCLUDED.total, "
        "lignes = EXCLUDED.lignes, calcule_le = EXCLUDED.calcule_le, prochaine_echeance = EXCLUDED.prochaine_echeance, "
        "commune_id = EXCLUDED.commune_id, typologie = EXCLUDED.typologie RETURNING demande_id, grille_id), "
        "ecrites AS (SELECT demande_id, grille_id FROM maj UNION ALL SELECT demande_id, grille_id FROM ins) "
        "SELECT count(DISTINCT demande_id), count(*) FILTER (WHERE grille_id IS NULL), (SELECT count(*) FROM hist), "
        "count(*) FROM ecrites"
    ).format(
        faits=_faits(besoins, debut, fin, le, fuseau, epcis),
        calc=calc,
        q=L(quand),
        motif=L(motif[:60]),
        maj=colonnes_maj,
        plage=S("BETWEEN {} AND {}").format(L(debut), L(fin)),
    )


# ---------------------------------------------------------------- le fichier par tranches


@dataclass
class Comptes:
    demandes: int = 0
    sans_grille: int = 0
    changees: int = 0
    tranches: int = 0
    duree_s: float = 0.0
    resultats: int = 0  # lignes écrites : une par (demande, territoire)


def traduire_grilles(grilles: dict[str, GrilleCompilee], le: date) -> tuple[list[GrilleSql], Besoins]:
    """Toutes les grilles en vigueur traduites (``NonTraduisible`` si l'une ne l'est pas)."""
    traduites = [traduire(g, le) for _, g in sorted(grilles.items())]
    besoins = Besoins()
    for g in traduites:
        besoins.ajouter(g.besoins)
    return traduites, besoins


def recalculer_fichier_sql(
    le: date,
    *,
    grilles: dict[str, GrilleCompilee],
    taille_tranche: int = TAILLE_TRANCHE,
    depuis: int = 0,
    connexions: int = CONNEXIONS,
    motif: str = "recalcul du fichier",
) -> Comptes:
    """Recote toutes les demandes actives d'identifiant > ``depuis`` par tranches d'identifiants.

    Chaque tranche est une transaction (reprise sans perte : une tranche rejouée réécrit les mêmes
    lignes). ``connexions`` > 1 : les tranches sont prises à tour de rôle par autant de connexions (fils),
    sauf dans une transaction de l'appelant (les autres connexions ne verraient pas ses écritures)."""
    debut_s = time.perf_counter()
    traduites, besoins = traduire_grilles(grilles, le)
    fuseau = timezone.get_current_timezone_name()
    comptes = Comptes()
    with connection.cursor() as cur:
        cur.execute("SELECT min(id), max(id) FROM demandes_demande WHERE etat = 'active' AND id > %s", [depuis])
        premier, dernier = cur.fetchone()
    if premier is None:
        comptes.duree_s = time.perf_counter() - debut_s
        return comptes
    tranches = iter(range(premier, dernier + 1, taille_tranche))
    verrou = threading.Lock()

    def suivante():
        with verrou:
            return next(tranches, None)

    def travailler(con) -> None:
        while (a := suivante()) is not None:
            requete = instruction(
                traduites,
                besoins,
                debut=a,
                fin=min(a + taille_tranche - 1, dernier),
                le=le,
                quand=timezone.now(),
                motif=motif,
                fuseau=fuseau,
            )
            with transaction.atomic(using=con.alias), con.cursor() as cur:
                texte = requete.as_string(con.connection)
                # Texte des nombres décimaux comme ``repr`` de Python (normes de surface), la tranche en mémoire,
                # pas de compilation JIT (plus longue que l'exécution pour une requête de cette taille).
                cur.execute("SET LOCAL extra_float_digits = 1; SET LOCAL work_mem = '256MB'; SET LOCAL jit = off")
                cur.execute(texte)
                n, sans, changees, lignes = cur.fetchone()
            with verrou:
                comptes.demandes += n
                comptes.resultats += lignes
                comptes.sans_grille += sans
                comptes.changees += changees
                comptes.tranches += 1

    if connexions <= 1 or connection.in_atomic_block:
        connection.ensure_connection()
        travailler(connection)
    else:
        erreurs: list[BaseException] = []

        def fil() -> None:
            nonlocal tranches
            con = connections["default"]  # connexion propre à ce fil
            try:
                con.ensure_connection()
                travailler(con)
            except BaseException as erreur:  # noqa: BLE001 — remontée au fil principal
                erreurs.append(erreur)
                with verrou:
                    tranches = iter(())  # les autres fils s'arrêtent à la tranche suivante
            finally:
                con.close()

        fils = [threading.Thread(target=fil, name=f"cotation-sql-{k}") for k in range(connexions)]
        for f in fils:
            f.start()
        for f in fils:
            f.join()
        if erreurs:
            raise erreurs[0]
    comptes.duree_s = time.perf_counter() - debut_s
    return comptes
