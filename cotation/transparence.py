"""Transparence de la cotation (CCH R441-2-17) : ce que l'espace du demandeur montre d'une demande.

Lectures pures (aucune écriture), sur de petites tables tenues à jour la nuit :

1. ``position`` : la répartition des points des demandes actives analogues
   (même commune en premier choix, même plus petite typologie recherchée ;
   table ``DistributionCotation``), le rang de la demande (1 = le plus fort
   total ; les ex æquo partagent le rang) et son centile (part des demandes
   analogues dont le total est inférieur ou égal au sien) ;
2. ``attente`` : le délai moyen observé pour les attributions analogues
   (demandes satisfaites des 12 derniers mois, ou des 36 s'il y en a moins
   de ``SEUIL_ATTRIBUTIONS`` ; moyenne de date de fin − date de dépôt, en
   mois) — le chiffre que nomme la loi — et, à côté, une estimation qui
   compte aussi les demandes encore en attente : la médiane de Kaplan–Meier
   du temps jusqu'à l'attribution et son intervalle de confiance à 80 %
   (table ``AttenteEstimee``).

``calculer_attentes`` (calcul de nuit) remplit ``AttenteEstimee`` ;
``backtest`` mesure, sur le passé, si ces estimations tiennent
(docs/cotation.md, « Attente estimée et back-test »).

Estimation de Kaplan–Meier, par groupe analogue, sur les demandes déposées
dans les ``ANNEES`` dernières années : une demande satisfaite est un
événement à sa date de fin ; une demande active est censurée aujourd'hui ;
une demande annulée est censurée à sa date de fin (on ne sait pas quand elle
aurait été satisfaite). Regroupement des petits groupes : si le groupe exact
(commune × typologie) compte moins de ``SEUIL_GROUPE`` demandes, on prend, dans
l'ordre, le premier qui en compte assez parmi : même EPCI × même typologie,
même commune × toutes typologies, même EPCI × toutes typologies ; sinon pas
d'estimation (« pas assez de demandes comparables »). La typologie passe
avant la commune : la taille du logement pèse plus sur l'attente que la
commune voisine dans la même intercommunalité.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.utils import timezone

from demandes.dossier import choix
from demandes.models import Demande

from .faits import ORDRE_TYPOLOGIES, plus_petite_typologie
from .models import AttenteEstimee, DistributionCotation, ResultatCotation

SEUIL_GROUPE = 30  # demandes au moins pour estimer une médiane sur un groupe
SEUIL_ATTRIBUTIONS = 10  # attributions des 12 derniers mois au moins, sinon on regarde 36 mois
ANNEES = 3  # fenêtre d'observation (années) pour Kaplan–Meier
TRONCATURE = True  # compter aussi les demandes déposées avant la fenêtre, encore en attente à son début
ALPHA = 0.2  # intervalle de confiance à 80 %
JOURS_PAR_MOIS = 30.4375
MAX_BARRES = 12

# ---------------------------------------------------------------- 1. répartition, rang, centile


@dataclass
class Barre:
    debut: int
    fin: int
    effectif: int
    part: float  # en % des demandes analogues
    largeur: int  # longueur de la barre en % de la plus haute, par pas de 5 (classes CSS)
    contient: bool  # la demande est dans cette tranche

    @property
    def libelle(self) -> str:
        if self.debut == self.fin:
            return f"{self.debut} point{'s' if abs(self.debut) > 1 else ''}"
        return f"de {self.debut} à {self.fin} points"


@dataclass
class Classement:
    rang: int  # 1 = le plus fort total ; ex æquo : même rang
    effectif: int  # demandes analogues, la demande comprise
    au_dessus: int
    egaux: int  # ex æquo, la demande comprise
    en_dessous: int
    centile: int  # % des demandes analogues dont le total est inférieur ou égal


@dataclass
class Position:
    total: int
    commune_id: str
    commune_nom: str
    typologie: str
    typologie_libelle: str
    classement: Classement
    barres: list[Barre]
    repartition: list[tuple[int, int]]  # (total, effectif), totaux décroissants
    calcule_le: object = None


def classer(total: int, repartition) -> Classement:
    """Rang et centile d'un total parmi ``repartition`` [(total, effectif)] ; la demande y est comptée
    (si son total n'y figure pas — cotée depuis le dernier calcul de la répartition —, elle y est ajoutée)."""
    au_dessus = sum(n for t, n in repartition if t > total)
    egaux = sum(n for t, n in repartition if t == total)
    en_dessous = sum(n for t, n in repartition if t < total)
    egaux = max(egaux, 1)
    effectif = au_dessus + egaux + en_dessous
    centile = math.floor(100 * (en_dessous + egaux) / effectif)
    return Classement(au_dessus + 1, effectif, au_dessus, egaux, en_dessous, centile)


def _pas(etendue: int) -> int:
    for pas in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500):
        if etendue // pas + 1 <= MAX_BARRES:
            return pas
    return 1000


def barres(repartition, total: int | None = None) -> list[Barre]:
    """Tranches de points (au plus ``MAX_BARRES``, de largeur 1, 2, 5, 10…) pour le graphique, du plus bas total
    au plus haut ; les tranches vides entre deux tranches occupées sont gardées (l'échelle reste lisible)."""
    points = [(t, n) for t, n in repartition if n > 0]
    if total is not None and not any(t == total for t, _ in points):
        points.append((total, 1))
    if not points:
        return []
    bas, haut = min(t for t, _ in points), max(t for t, _ in points)
    pas = _pas(haut - bas)
    debut = math.floor(bas / pas) * pas
    tranches: dict[int, int] = {}
    for t, n in points:
        cle = math.floor(t / pas) * pas
        tranches[cle] = tranches.get(cle, 0) + n
    effectif = sum(n for _, n in points)
    plus_haute = max(tranches.values())
    resultat = []
    cle = debut
    while cle <= haut:
        n = tranches.get(cle, 0)
        largeur = 0 if n == 0 else max(5, round(20 * n / plus_haute) * 5)
        resultat.append(
            Barre(
                debut=cle,
                fin=cle + pas - 1,
                effectif=n,
                part=round(100 * n / effectif, 1),
                largeur=largeur,
                contient=total is not None and cle <= total <= cle + pas - 1,
            )
        )
        cle += pas
    return resultat


def repartition(commune: str, typologie: str) -> list[tuple[int, int]]:
    """Répartition des totaux des demandes actives analogues (dernier calcul de nuit), totaux décroissants."""
    return list(
        DistributionCotation.objects.filter(commune_id=commune, typologie=typologie)
        .order_by("-total")
        .values_list("total", "effectif")
    )


def libelle_typologie(typologie: str) -> str:
    try:
        return choix.Typologie(typologie).label
    except ValueError:
        return typologie


def _commune_nom(code: str) -> str:
    from fdls.territoires.models import Commune

    return Commune.objects.filter(pk=code).values_list("nom", flat=True).first() or code


def position(demande: Demande) -> Position | None:
    """Répartition des demandes analogues, rang et centile d'une demande active cotée ; None sinon."""
    if demande.etat != Demande.Etat.ACTIVE:
        return None
    resultat = ResultatCotation.objects.filter(demande=demande).only("total", "commune", "typologie", "grille").first()
    if resultat is None or resultat.grille_id is None or not resultat.commune_id or not resultat.typologie:
        return None
    lignes = repartition(resultat.commune_id, resultat.typologie)
    calcule_le = (
        DistributionCotation.objects.filter(commune_id=resultat.commune_id, typologie=resultat.typologie)
        .values_list("calcule_le", flat=True)
        .first()
    )
    return Position(
        total=resultat.total,
        commune_id=resultat.commune_id,
        commune_nom=_commune_nom(resultat.commune_id),
        typologie=resultat.typologie,
        typologie_libelle=libelle_typologie(resultat.typologie),
        classement=classer(resultat.total, lignes),
        barres=barres(lignes, resultat.total),
        repartition=lignes,
        calcule_le=calcule_le,
    )


# ---------------------------------------------------------------- 2. attente observée et estimée (lecture)


def groupe_de(demande: Demande) -> tuple[str | None, str]:
    """Commune du premier choix et plus petite typologie recherchée de la demande."""
    resultat = ResultatCotation.objects.filter(demande=demande).values_list("commune", "typologie").first()
    if resultat and resultat[0] and resultat[1]:
        return resultat[0], resultat[1]
    premiere = demande.localisations.order_by("rang").values_list("commune_id", flat=True).first()
    return premiere, plus_petite_typologie(demande.typologies)


def attente(commune: str | None, typologie: str) -> AttenteEstimee | None:
    if not commune or not typologie:
        return None
    return AttenteEstimee.objects.filter(commune_id=commune, typologie=typologie).first()


def en_mois(valeur: float | None) -> int | None:
    return None if valeur is None else round(valeur)


def duree_en_clair(mois: float | None) -> str:
    """« 27 mois (2 ans et 3 mois) » ; « moins d'un mois »."""
    if mois is None:
        return ""
    m = round(mois)
    if m < 1:
        return "moins d'un mois"
    texte = f"{m} mois"
    if m >= 12:
        ans, reste = divmod(m, 12)
        detail = f"{ans} an{'s' if ans > 1 else ''}"
        if reste:
            detail += f" et {reste} mois"
        texte += f" ({detail})"
    return texte


# ---------------------------------------------------------------- Kaplan–Meier


@dataclass
class Estimation:
    mediane: float | None  # mois ; None : la courbe ne descend pas à 0,5
    bas: float | None
    haut: float | None  # None : au-delà du suivi
    suivi: float  # plus longue durée observée (mois)
    effectif: int
    evenements: int
    temps: object = field(default=None, repr=False)  # abscisses de la courbe (mois), pour le back-test
    survie: object = field(default=None, repr=False)

    def residuelle(self, deja: float) -> float | None:
        """Durée totale (mois depuis le dépôt) à laquelle la moitié des demandes encore en attente après
        ``deja`` mois sont satisfaites : premier t ≥ deja où S(t) ≤ S(deja) / 2 ; None hors de la courbe."""
        import numpy as np

        i = int(np.searchsorted(self.temps, deja, side="right")) - 1
        s0 = self.survie[max(i, 0)]
        if s0 <= 0:
            return None
        cible = s0 / 2
        j = np.nonzero(self.survie[max(i, 0) :] <= cible + 1e-12)[0]  # produits de flottants
        if len(j) == 0:
            return None
        return float(self.temps[max(i, 0) + j[0]])


def _fini(x) -> float | None:
    x = float(x)
    return None if math.isinf(x) or math.isnan(x) else x


def estimer(jours, evenements, poids=None, *, entree=None, garder_courbe: bool = False) -> Estimation:
    """Médiane de Kaplan–Meier (mois) et son intervalle de confiance à 80 % (lifelines : bandes ponctuelles
    de Greenwood exponentielle, la médiane de chaque bande) ; ``poids`` : nombre de demandes par ligne ;
    ``entree`` (jours) : attente à partir de laquelle la demande est observée (troncature à gauche)."""
    import numpy as np
    from lifelines import KaplanMeierFitter
    from lifelines.exceptions import StatError
    from lifelines.utils import median_survival_times

    jours = np.asarray(jours, dtype=float)
    evenements = np.asarray(evenements, dtype=bool)
    poids = np.ones(len(jours)) if poids is None else np.asarray(poids, dtype=float)
    km = KaplanMeierFitter(alpha=ALPHA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        debuts = None if entree is None else np.asarray(entree, dtype=float) / JOURS_PAR_MOIS
        if debuts is not None and not debuts.any():
            debuts = None
        try:
            km.fit(jours / JOURS_PAR_MOIS, evenements, entry=debuts, weights=poids)
        except StatError:
            # Troncature : plus personne en attente à une durée où tout s'est terminé (courbe tombée à 0) ;
            # pas d'estimation plutôt qu'une courbe fausse.
            return Estimation(None, None, None, float(jours.max() / JOURS_PAR_MOIS), int(poids.sum()), 0)
        bande = median_survival_times(km.confidence_interval_)
    estimation = Estimation(
        mediane=_fini(km.median_survival_time_),
        bas=_fini(bande.iloc[0, 0]),
        haut=_fini(bande.iloc[0, 1]),
        suivi=float(jours.max() / JOURS_PAR_MOIS) if len(jours) else 0.0,
        effectif=int(poids.sum()),
        evenements=int(poids[evenements].sum()),
    )
    if garder_courbe:
        estimation.temps = np.asarray(km.timeline, dtype=float)
        estimation.survie = km.survival_function_.to_numpy()[:, 0]
    return estimation


# ---------------------------------------------------------------- données : une table temporaire des demandes

_SQL_PREPARER = """
CREATE TEMP TABLE tmp_attente ON COMMIT DROP AS
SELECT d.id, d.etat, d.date_depot AS depot, d.date_fin AS fin, l.commune_id AS commune, c.epci_id AS epci,
       coalesce((SELECT t FROM unnest(d.typologies) t WHERE array_position(%(ordre)s::text[], t) IS NOT NULL
                 ORDER BY array_position(%(ordre)s::text[], t) LIMIT 1), '') AS typologie
FROM demandes_demande d
CROSS JOIN LATERAL (SELECT commune_id FROM demandes_localisationsouhaitee WHERE demande_id = d.id
                    ORDER BY rang LIMIT 1) l
JOIN territoires_commune c ON c.code_insee = l.commune_id
WHERE d.date_depot IS NOT NULL
  AND (d.etat = 'active' OR (d.etat IN ('satisfaite', 'annulee') AND d.date_fin IS NOT NULL))
  AND (%(tout)s OR d.etat = 'active' OR d.date_depot >= %(debut)s OR d.date_fin > %(debut)s
       OR (d.etat = 'satisfaite' AND d.date_fin > %(debut_observe)s))
"""

# État au ``le`` des demandes déposées avant ``depot_max`` et encore en attente à ``debut`` : satisfaite avant ``le``
# = événement à sa date de fin ; annulée avant ``le`` = censurée à sa date de fin ; sinon (active, ou close après
# ``le``) censurée à ``le``. Sans troncature : seulement celles déposées depuis ``debut`` (cohorte) ; avec : aussi
# celles déposées avant et encore en attente à ``debut``, qui n'entrent dans le calcul qu'à l'attente qu'elles
# avaient alors (``entree``, troncature à gauche).
_SQL_SURVIE = """
SELECT commune, epci, typologie, greatest(%(debut)s - depot, 0) AS entree,
       CASE WHEN etat <> 'active' AND fin <= %(le)s THEN fin - depot ELSE %(le)s - depot END AS jours,
       (etat = 'satisfaite' AND fin <= %(le)s) AS evenement, count(*)
FROM tmp_attente
WHERE depot <= %(depot_max)s AND (depot >= %(debut)s OR (%(troncature)s AND (etat = 'active' OR fin > %(debut)s)))
GROUP BY 1, 2, 3, 4, 5, 6
"""

_SQL_OBSERVE = """
SELECT commune, typologie,
       count(*) FILTER (WHERE fin > %(debut12)s), avg(fin - depot) FILTER (WHERE fin > %(debut12)s),
       count(*), avg(fin - depot)
FROM tmp_attente
WHERE etat = 'satisfaite' AND fin <= %(le)s AND fin > %(debut36)s AND typologie <> ''
GROUP BY 1, 2
"""


def _preparer(cur, *, le: date, annees: int, tout: bool = False) -> None:
    cur.execute("DROP TABLE IF EXISTS tmp_attente")
    cur.execute(
        _SQL_PREPARER,
        {
            "ordre": ORDRE_TYPOLOGIES,
            "tout": tout,
            "debut": le - relativedelta(years=annees),
            "debut_observe": le - relativedelta(months=36),
        },
    )
    cur.execute("ANALYZE tmp_attente")


@dataclass
class Groupes:
    """Lignes agrégées (commune, epci, typologie, entrée, jours, événement, nombre) et leurs index par niveau."""

    lignes: list
    index: dict = field(default_factory=lambda: defaultdict(list))
    effectifs: dict = field(default_factory=lambda: defaultdict(int))

    @classmethod
    def lire(cls, cur, *, le: date, debut: date, depot_max: date | None = None, troncature: bool = False) -> Groupes:
        """Demandes déposées avant ``depot_max`` (par défaut ``le``), depuis ``debut`` ou — ``troncature`` —
        encore en attente à ``debut``, dans leur état à ``le``."""
        cur.execute(_SQL_SURVIE, {"le": le, "debut": debut, "depot_max": depot_max or le, "troncature": troncature})
        g = cls(cur.fetchall())
        for i, (commune, epci, typologie, _entree, _jours, _evt, n) in enumerate(g.lignes):
            for cle in _cles(commune, epci, typologie):
                g.index[cle].append(i)
                g.effectifs[cle] += n
        return g

    def niveau(self, commune: str, epci: str | None, typologie: str, seuil: int = SEUIL_GROUPE):
        """(niveau, clé) du premier regroupement d'au moins ``seuil`` demandes, ou (AUCUN, None)."""
        for niveau, cle in _niveaux(commune, epci, typologie):
            if self.effectifs.get(cle, 0) >= seuil:
                return niveau, cle
        return AttenteEstimee.Niveau.AUCUN, None

    def estimer(self, cle, *, garder_courbe: bool = False) -> Estimation:
        rangs = self.index[cle]
        return estimer(
            [self.lignes[i][4] for i in rangs],
            [self.lignes[i][5] for i in rangs],
            [self.lignes[i][6] for i in rangs],
            entree=[self.lignes[i][3] for i in rangs],
            garder_courbe=garder_courbe,
        )


def _niveaux(commune, epci, typologie):
    N = AttenteEstimee.Niveau
    niveaux = []
    if typologie:
        niveaux.append((N.COMMUNE_TYPOLOGIE, ("ct", commune, typologie)))
        if epci:
            niveaux.append((N.EPCI_TYPOLOGIE, ("et", epci, typologie)))
    niveaux.append((N.COMMUNE, ("c", commune)))
    if epci:
        niveaux.append((N.EPCI, ("e", epci)))
    return niveaux


def _cles(commune, epci, typologie):
    return [cle for _niveau, cle in _niveaux(commune, epci, typologie)]


# ---------------------------------------------------------------- calcul de nuit


_SQL_ECRIRE = """
INSERT INTO cotation_attenteestimee
    (commune_id, typologie, niveau, mediane_mois, bas_mois, haut_mois, suivi_mois, effectif, annees,
     moyenne_observee_mois, attributions, periode_observee_mois, calcule_le)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
"""


def _arrondi(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def calculer_attentes(
    *, le: date | None = None, annees: int = ANNEES, seuil: int = SEUIL_GROUPE, troncature: bool = TRONCATURE
) -> int:
    """Remplit ``AttenteEstimee`` pour chaque couple (commune du 1er choix, plus petite typologie) des demandes
    actives ou récentes ; une médiane de Kaplan–Meier par groupe retenu (un groupe regroupé sert à toutes ses
    communes). Une transaction : la table est remplacée d'un coup. Rend le nombre de lignes écrites."""
    le = le or timezone.localdate()
    quand = timezone.now()
    debut = le - relativedelta(years=annees)
    with transaction.atomic(), connection.cursor() as cur:
        _preparer(cur, le=le, annees=annees)
        groupes = Groupes.lire(cur, le=le, debut=debut, troncature=troncature)
        cur.execute(
            _SQL_OBSERVE,
            {"le": le, "debut12": le - relativedelta(months=12), "debut36": le - relativedelta(months=36)},
        )
        observes = {(c, t): (n12, m12, n36, m36) for c, t, n12, m12, n36, m36 in cur.fetchall()}
        cur.execute("SELECT DISTINCT commune, epci, typologie FROM tmp_attente WHERE typologie <> ''")
        couples = cur.fetchall()
        estimations: dict = {}
        lignes = []
        for commune, epci, typologie in couples:
            niveau, cle = groupes.niveau(commune, epci, typologie, seuil)
            if cle is not None and cle not in estimations:
                estimations[cle] = groupes.estimer(cle)
            e = estimations.get(cle)
            n12, m12, n36, m36 = observes.get((commune, typologie), (0, None, 0, None))
            if n12 >= SEUIL_ATTRIBUTIONS:
                periode, attributions, moyenne = 12, n12, m12
            else:
                periode, attributions, moyenne = 36, n36, m36
            lignes.append(
                (
                    commune,
                    typologie,
                    niveau,
                    _arrondi(e.mediane) if e else None,
                    _arrondi(e.bas) if e else None,
                    _arrondi(e.haut) if e else None,
                    _arrondi(e.suivi) if e else None,
                    e.effectif if e else groupes.effectifs.get(("ct", commune, typologie), 0),
                    annees,
                    _arrondi(float(moyenne) / JOURS_PAR_MOIS) if moyenne is not None else None,
                    attributions,
                    periode,
                    quand,
                )
            )
        cur.execute("DELETE FROM cotation_attenteestimee")
        cur.executemany(_SQL_ECRIRE, lignes)
        cur.execute("DROP TABLE IF EXISTS tmp_attente")
    return len(lignes)


# ---------------------------------------------------------------- back-test


@dataclass
class Backtest:
    coupure: date
    le: date
    annees: int
    seuil: int
    troncature: bool = TRONCATURE
    # Groupes : la médiane réalisée (mêmes demandes, suivies jusqu'à ``le``) tombe-t-elle dans la bande prédite ?
    groupes: int = 0
    groupes_sans_estimation: int = 0
    groupes_dans_bande: int = 0
    groupes_sous_bande: int = 0
    groupes_au_dessus_bande: int = 0
    # Demandes actives à la coupure : satisfaites avant l'horizon prédit (médiane résiduelle du groupe) ?
    cohorte: int = 0
    sans_prediction: int = 0  # groupe trop petit ou horizon au-delà de la courbe
    horizon_futur: int = 0  # horizon après ``le`` : pas encore jugé
    annulees_avant: int = 0  # annulées avant l'horizon : ni succès ni échec (censurées)
    satisfaites_avant: int = 0
    pas_satisfaites: int = 0
    # Nouvelles demandes (déposées dans les 6 mois avant la coupure) : satisfaites avant dépôt + médiane du groupe ?
    nouvelles: int = 0
    nouvelles_jugees: int = 0
    nouvelles_satisfaites_avant: int = 0
    niveaux: dict = field(default_factory=dict)
    details: list = field(default_factory=list)  # par groupe : clé, médiane, bande, réalisée

    @property
    def part_dans_bande(self) -> float | None:
        return _part(self.groupes_dans_bande, self.groupes - self.groupes_sans_estimation)

    @property
    def part_satisfaites(self) -> float | None:
        """Part des demandes jugées (ni annulées avant l'horizon, ni horizon futur) satisfaites avant l'horizon."""
        return _part(self.satisfaites_avant, self.satisfaites_avant + self.pas_satisfaites)

    @property
    def part_satisfaites_brute(self) -> float | None:
        """Même part, les annulations avant l'horizon comptées comme « pas satisfaites »."""
        return _part(self.satisfaites_avant, self.satisfaites_avant + self.pas_satisfaites + self.annulees_avant)

    @property
    def part_nouvelles(self) -> float | None:
        return _part(self.nouvelles_satisfaites_avant, self.nouvelles_jugees)


def _part(a: int, b: int) -> float | None:
    return round(100 * a / b, 1) if b else None


_SQL_COHORTE = """
SELECT commune, epci, typologie, depot, etat, fin FROM tmp_attente
WHERE depot <= %(coupure)s AND (etat = 'active' OR fin > %(coupure)s)
"""


def backtest(
    date_coupure: date,
    *,
    le: date | None = None,
    annees: int = ANNEES,
    seuil: int = SEUIL_GROUPE,
    troncature: bool = TRONCATURE,
) -> Backtest:
    """Ajuste les courbes sur ce qu'on savait à ``date_coupure`` (demandes déposées avant, dans leur état
    d'alors), puis compare à ce qui s'est passé jusqu'à ``le`` (aujourd'hui) :

    - par groupe retenu : la médiane réalisée — même groupe, mêmes demandes (déposées dans les ``annees``
      ans avant la coupure), suivies jusqu'à ``le`` — est-elle dans la bande à 80 % prédite ?
    - par demande active à la coupure, déjà en attente depuis t0 : l'horizon prédit est la médiane
      résiduelle du groupe (premier t où S(t) ≤ S(t0)/2) ; idéalement la moitié est satisfaite avant ;
    - par demande déposée dans les 6 mois avant la coupure : satisfaite avant dépôt + médiane du groupe
      (le chiffre montré à un nouveau demandeur) ?

    Lecture seule (une table temporaire).
    """
    le = le or timezone.localdate()
    bilan = Backtest(coupure=date_coupure, le=le, annees=annees, seuil=seuil, troncature=troncature)
    debut = date_coupure - relativedelta(years=annees)
    with transaction.atomic(), connection.cursor() as cur:
        _preparer(cur, le=le, annees=annees, tout=True)
        avant = Groupes.lire(cur, le=date_coupure, debut=debut, troncature=troncature)
        if troncature:
            # Ce qui s'est passé : la même estimation sur la fenêtre qui suit la coupure (demandes en attente à la
            # coupure ou déposées depuis, jusqu'à ``le``).
            apres = Groupes.lire(cur, le=le, debut=date_coupure, troncature=True)
        else:
            # Mêmes demandes (déposées entre ``debut`` et la coupure), suivies jusqu'à ``le``.
            apres = Groupes.lire(cur, le=le, debut=debut, depot_max=date_coupure)
        cur.execute(_SQL_COHORTE, {"coupure": date_coupure})
        cohorte = cur.fetchall()
        cur.execute("DROP TABLE IF EXISTS tmp_attente")

    predictions: dict = {}

    def prediction(commune, epci, typologie):
        niveau, cle = avant.niveau(commune, epci, typologie, seuil)
        if cle is None:
            return niveau, None, None
        if cle not in predictions:
            predictions[cle] = avant.estimer(cle, garder_courbe=True)
        return niveau, cle, predictions[cle]

    recentes = date_coupure - timedelta(days=183)
    for commune, epci, typologie, depot, etat, fin in cohorte:
        bilan.cohorte += 1
        niveau, _cle, e = prediction(commune, epci, typologie)
        bilan.niveaux[niveau] = bilan.niveaux.get(niveau, 0) + 1
        if e is None:
            bilan.sans_prediction += 1
            continue
        deja = (date_coupure - depot).days / JOURS_PAR_MOIS
        horizon_mois = e.residuelle(deja)
        if horizon_mois is None:
            bilan.sans_prediction += 1
        else:
            _juger(bilan, depot + timedelta(days=round(horizon_mois * JOURS_PAR_MOIS)), etat, fin, le)
        if depot >= recentes:
            bilan.nouvelles += 1
            if e.mediane is not None:
                horizon = depot + timedelta(days=round(e.mediane * JOURS_PAR_MOIS))
                if horizon <= le and not (etat == "annulee" and fin <= horizon):
                    bilan.nouvelles_jugees += 1
                    if etat == "satisfaite" and fin <= horizon:
                        bilan.nouvelles_satisfaites_avant += 1

    # Bandes : chaque groupe retenu pour au moins une demande de la cohorte.
    for cle, e in predictions.items():
        bilan.groupes += 1
        if e.mediane is None and e.bas is None:
            bilan.groupes_sans_estimation += 1
            continue
        realise = apres.estimer(cle)
        bas = e.bas if e.bas is not None else 0.0
        haut = e.haut if e.haut is not None else math.inf
        if realise.mediane is not None:
            m = realise.mediane
            dedans, dessous = bas <= m <= haut, m < bas
        else:  # médiane réalisée au-delà du suivi : « plus de realise.suivi mois »
            dedans, dessous = haut > realise.suivi, False
        if dedans:
            bilan.groupes_dans_bande += 1
        elif dessous:
            bilan.groupes_sous_bande += 1
        else:
            bilan.groupes_au_dessus_bande += 1
        bilan.details.append(
            {
                "groupe": "/".join(str(x) for x in cle),
                "effectif": e.effectif,
                "mediane": _arrondi(e.mediane),
                "bas": _arrondi(e.bas),
                "haut": _arrondi(e.haut),
                "suivi": _arrondi(e.suivi),
                "realisee": _arrondi(realise.mediane),
                "suivi_realise": _arrondi(realise.suivi),
                "dans_bande": dedans,
            }
        )
    return bilan


def _juger(bilan: Backtest, horizon: date, etat: str, fin: date | None, le: date) -> None:
    # Horizon pas encore atteint : ni succès ni échec (compter les succès précoces biaiserait la part).
    if horizon > le:
        bilan.horizon_futur += 1
    elif etat == "satisfaite" and fin <= horizon:
        bilan.satisfaites_avant += 1
    elif etat == "annulee" and fin <= horizon:
        bilan.annulees_avant += 1
    else:
        bilan.pas_satisfaites += 1
