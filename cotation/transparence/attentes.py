"""Attente des demandes analogues (CCH R441-2-17) : calcul de nuit et back-test (lectures : ``selectors``).

``attente`` (``selectors``) montre deux chiffres : le délai moyen observé pour les attributions analogues
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

from django.utils import timezone

from cotation.calcul.faits import ORDRE_TYPOLOGIES
from fdls.socle.dates import ajouter_mois

from . import attentes_sql
from .models import AttenteEstimee

SEUIL_GROUPE = 30  # demandes au moins pour estimer une médiane sur un groupe
SEUIL_ATTRIBUTIONS = 10  # attributions des 12 derniers mois au moins, sinon on regarde 36 mois
ANNEES = 3  # fenêtre d'observation (années) pour Kaplan–Meier
TRONCATURE = True  # compter aussi les demandes déposées avant la fenêtre, encore en attente à son début
ALPHA = 0.2  # intervalle de confiance à 80 %
JOURS_PAR_MOIS = 30.4375

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
        import numpy as np  # chargé à l'usage (pyproject : banned-module-level-imports)

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
    # Bibliothèques lourdes chargées à l'usage (pyproject : banned-module-level-imports) : le web ne les charge pas.
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


@dataclass
class Groupes:
    """Lignes agrégées (commune, epci, typologie, entrée, jours, événement, nombre) et leurs index par niveau."""

    lignes: list
    index: dict = field(default_factory=lambda: defaultdict(list))
    effectifs: dict = field(default_factory=lambda: defaultdict(int))

    @classmethod
    def lire(cls, table, *, le: date, debut: date, depot_max: date | None = None, troncature: bool = False) -> Groupes:
        """Demandes déposées avant ``depot_max`` (par défaut ``le``), depuis ``debut`` ou — ``troncature`` —
        encore en attente à ``debut``, dans leur état à ``le`` (``table`` : ``attentes_sql.TableDemandes``)."""
        g = cls(table.survie(le=le, debut=debut, depot_max=depot_max or le, troncature=troncature))
        for i, (commune, epci, typologie, _entree, _jours, _evt, n) in enumerate(g.lignes):
            for cle in _cles(commune, epci, typologie):
                g.index[cle].append(i)
                g.effectifs[cle] += n
        return g

    def niveau(self, commune: str, epci: str | None, typologie: str, seuil: int = SEUIL_GROUPE):
        """(niveau, clé) du premier regroupement d'au moins ``seuil`` demandes, ou (AUCUN, None)."""
        return niveau_retenu(self.effectifs, commune, epci, typologie, seuil)

    def estimer(self, cle, *, garder_courbe: bool = False) -> Estimation:
        rangs = self.index[cle]
        return estimer(
            [self.lignes[i][4] for i in rangs],
            [self.lignes[i][5] for i in rangs],
            [self.lignes[i][6] for i in rangs],
            entree=[self.lignes[i][3] for i in rangs],
            garder_courbe=garder_courbe,
        )


def niveau_retenu(effectifs: dict, commune: str, epci: str | None, typologie: str, seuil: int = SEUIL_GROUPE):
    """(niveau, clé) du premier regroupement d'au moins ``seuil`` demandes, ou (AUCUN, None)."""
    for niveau, cle in _niveaux(commune, epci, typologie):
        if effectifs.get(cle, 0) >= seuil:
            return niveau, cle
    return AttenteEstimee.Niveau.AUCUN, None


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
    debut = ajouter_mois(le, -12 * annees)
    periode_survie = {"le": le, "debut": debut, "depot_max": le, "troncature": troncature}
    with attentes_sql.table_des_demandes(le=le, annees=annees, ordre_typologies=ORDRE_TYPOLOGIES) as table:
        # Mémoire constante dans la taille du fichier : effectifs comptés en SQL, lignes de survie lues en flux,
        # un groupe à la fois (à 1 M de demandes, lire toutes les lignes d'un coup coûtait ≈ 560 Mo).
        effectifs = table.effectifs(**periode_survie)
        observes = {
            (c, t): (n12, m12, n36, m36)
            for c, t, n12, m12, n36, m36 in table.observe(
                le=le, debut12=ajouter_mois(le, -12), debut36=ajouter_mois(le, -36)
            )
        }
        couples = [
            (commune, typologie, *niveau_retenu(effectifs, commune, epci, typologie, seuil))
            for commune, epci, typologie in table.couples()
        ]
        retenues = {cle for *_, cle in couples if cle is not None}
        estimations = {}
        for niveau in {cle[0] for cle in retenues}:
            for cle, lignes_survie in table.survie_par_groupe(niveau, **periode_survie):
                if cle in retenues:
                    jours, evenements, poids, entree = zip(*lignes_survie, strict=True)
                    estimations[cle] = estimer(jours, evenements, poids, entree=entree)
        lignes = []
        for commune, typologie, niveau, cle in couples:
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
                    e.effectif if e else effectifs.get(("ct", commune, typologie), 0),
                    annees,
                    _arrondi(float(moyenne) / JOURS_PAR_MOIS) if moyenne is not None else None,
                    attributions,
                    periode,
                    quand,
                )
            )
        attentes_sql.remplacer_attentes(lignes)
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

    Lecture seule (une table temporaire, ``attentes_sql``).
    """
    le = le or timezone.localdate()
    bilan = Backtest(coupure=date_coupure, le=le, annees=annees, seuil=seuil, troncature=troncature)
    debut = ajouter_mois(date_coupure, -12 * annees)
    with attentes_sql.table_des_demandes(le=le, annees=annees, ordre_typologies=ORDRE_TYPOLOGIES, tout=True) as table:
        avant = Groupes.lire(table, le=date_coupure, debut=debut, troncature=troncature)
        if troncature:
            # Ce qui s'est passé : la même estimation sur la fenêtre qui suit la coupure (demandes en attente à la
            # coupure ou déposées depuis, jusqu'à ``le``).
            apres = Groupes.lire(table, le=le, debut=date_coupure, troncature=True)
        else:
            # Mêmes demandes (déposées entre ``debut`` et la coupure), suivies jusqu'à ``le``.
            apres = Groupes.lire(table, le=le, debut=debut, depot_max=date_coupure)
        cohorte = table.cohorte(coupure=date_coupure)

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
