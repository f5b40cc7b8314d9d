"""Détection et traitement des doublons : blocage indexé, score rapidfuzz, fusion.

Le SQL (blocage, paires de nuit, report des suspicions) est dans
``detection_sql.py`` et ``fusion_sql.py`` ; ici, le score et les règles.

Blocage (``CleIdentite``, une ligne par demandeur et co-demandeur, nom et
prénom normalisés sans accents, clés Metaphone, date de naissance, nom de
naissance s'il diffère du nom, sexe) :

* même date de naissance, ou jour et mois inversés (07/04 ↔ 04/07) ;
* ou mêmes clés phonétiques du nom et du prénom (dans un sens ou dans
  l'autre) avec une date de naissance « proche » (un chiffre différent, ou
  jour et mois inversés : une faute de saisie de la date), notée sous le seuil
  par défaut (homonymes trop nombreux) mais montrée si l'on baisse le seuil.

Chaque paire candidate est notée sur 100 (``noter``) : similarité du nom et du
prénom (identiques, une faute de frappe, variante de translittération d'un
prénom, même prononciation, nom composé, nom de naissance de l'une égal au nom
de l'autre, sinon ``fuzz.ratio``), dans l'ordre et inversés, la moins bonne des
deux pesant le plus, puis une pénalité selon les dates de naissance (jour et
mois inversés, un chiffre, une génération d'écart) et le sexe (jumeaux de
sexes différents). Au-delà de ``SEUIL`` la paire est présentée à l'agent, qui
décide (docs/doublons.md).

Ne sont jamais comparés : deux personnes d'un même ménage (même demande), deux
demandes liées par une fusion (la demande absorbée est annulée, seules les
demandes actives sont candidates), une paire déjà déclarée distincte.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from demandes.dossier import choix
from demandes.dossier.models import Demande, Evenement, LocalisationSouhaitee, TraitementPlanifie
from demandes.dossier.normalisation import cle_phonetique, nom_naissance_cle, normaliser_nom, sexe_cle
from demandes.dossier.signaux import signaler
from demandes.dossier.workflow import WORKFLOW_DEMANDE, ecrire_evenement
from demandes.doublons import detection_sql, fusion_sql
from demandes.doublons.models import SuspicionDoublon
from fdls.socle.workflow import Auteur

#: Score à partir duquel une paire est présentée comme doublon probable (docs/decisions.md).
SEUIL = 85
#: Une seule faute de frappe (substitution, insertion, suppression ou inversion de deux lettres).
SCORE_FAUTE = 92
#: « MARTIN » et « MARTIN DUBOIS », « JEAN » et « JEAN PIERRE » : nom d'usage ou prénom composé.
SCORE_COMPOSE = 88
#: Deux translittérations d'un même prénom (table ``variantes_prenoms.csv`` : MOHAMED / MUHAMMAD, OLEKSANDR /
#: ALEKSANDR) : plus sûr qu'une faute de frappe, la table ne réunit que des formes d'un même prénom.
SCORE_VARIANTE = 94
#: Même prononciation (clé Metaphone égale, d'au moins ``LONGUEUR_PHONETIQUE`` lettres) : YOUSSEF / YUSUF,
#: SHEVCHENKO / CHEVTCHENKO. Les clés plus courtes (« LS » : LOUIS, LISE, ELISE…) réunissent trop de noms.
SCORE_PHONETIQUE = 90
LONGUEUR_PHONETIQUE = 3
#: Le nom de naissance de l'une est le nom de l'autre (femme mariée enregistrée sous son nom d'usage puis sous
#: son nom de naissance), ou les deux ont le même nom de naissance.
SCORE_NOM_NAISSANCE = 96
PENALITE_INVERSION = 3
# Une date mal saisie ne suffit pas au seuil par défaut : à 1 million de demandes,
# les homonymes nés à un chiffre près sont bien plus nombreux que les vraies fautes
# (docs/doublons.md). La vérification à la saisie peut baisser le seuil pour les voir.
PENALITE_DATE_PROCHE = 20
PENALITE_DATE_DIFFERENTE = 40
#: Jour et mois inversés (07/04 ↔ 04/07, la même année) : la confusion d'un format de date étranger (MM/JJ),
#: plus sûre qu'un chiffre faux ; assez légère pour que nom et prénom identiques restent signalés (88), pas
#: une faute de frappe en plus (83 : les homonymes à une lettre près seraient trop nombreux).
PENALITE_DATE_INVERSEE = 12
#: Un chiffre de l'année différent qui éloigne les deux dates d'au moins ``ECART_GENERATION`` ans (1965 / 1995)
#: : plutôt un parent et son enfant du même nom qu'une faute de saisie ; compté comme une autre date.
ECART_GENERATION = 10
#: Sexes connus et différents, prénoms différents : des jumeaux (Julie / Julien, Louis / Louise), pas un doublon.
PENALITE_SEXE = 30
#: Point de reprise de la détection nocturne : ``TraitementPlanifie.point_de_reprise`` de la ligne
#: (job ``JOB_NUIT``, jour du passage), écrit dans la transaction de chaque lot (demandes/relances/traitements.py).
JOB_NUIT = "detection_doublons"


@dataclass(frozen=True)
class Identite:
    nom: str
    prenom: str
    date_naissance: date
    role: str = "demandeur"
    nom_naissance: str = ""  # normalisé, vide s'il est celui du nom (``normalisation.nom_naissance_cle``)
    sexe: str = ""  # « M », « F » ou vide


@dataclass
class Candidat:
    demande_id: int
    score: int
    motif: str
    role: str


def identites_du_dossier(personnes) -> list[Identite]:
    """Demandeur et co-demandeur du dossier, noms normalisés (les occupants ne sont pas comparés)."""
    return [
        Identite(
            normaliser_nom(p.nom),
            normaliser_nom(p.prenom),
            p.date_naissance,
            p.role,
            nom_naissance_cle(p.nom, getattr(p, "nom_naissance", "")),
            sexe_cle(getattr(p, "sexe", ""), getattr(p, "civilite", "")),
        )
        for p in personnes
        if p.role in (choix.Role.DEMANDEUR, choix.Role.CODEMANDEUR) and p.date_naissance and p.nom
    ]


# ---------------------------------------------------------------- variantes et phonétique


def _charger_variantes() -> dict[str, int]:
    """Forme normalisée sans espaces → numéro de son groupe de variantes (une ligne du fichier par prénom)."""
    groupes: dict[str, int] = {}
    with (Path(__file__).parent / "variantes_prenoms.csv").open(encoding="utf-8") as fichier:
        lignes = (ligne for ligne in fichier if ligne.strip() and not ligne.startswith("#"))
        for numero, formes in enumerate(csv.reader(lignes)):
            for forme in formes:
                groupes[normaliser_nom(forme).replace(" ", "")] = numero
    return groupes


#: Variantes de translittération d'un même prénom (docs/doublons.md, sources : docs/decisions.md).
VARIANTES = _charger_variantes()


@lru_cache(maxsize=65536)
def _phonetique(nom: str) -> str:
    """Clé Metaphone du nom normalisé, celle que ``CleIdentite`` stocke (``normalisation.cle_phonetique``)."""
    return cle_phonetique(nom)


def _variante(nom: str) -> int | None:
    return VARIANTES.get(nom.replace(" ", ""))


def meme_prononciation(x: str, y: str) -> bool:
    cle = _phonetique(x)
    return len(cle) >= LONGUEUR_PHONETIQUE and cle == _phonetique(y)


# ---------------------------------------------------------------- score


def _similarite(x: str, y: str) -> tuple[float, str]:
    """Similarité 0–100 de deux noms normalisés, et sa nature (identique, faute, compose, proche)."""
    if x == y:
        return 100.0, "identique"
    if not x or not y:
        return 0.0, "proche"
    if x.replace(" ", "") == y.replace(" ", ""):
        return 98.0, "identique"
    variante = _variante(x)
    if variante is not None and variante == _variante(y):
        return float(SCORE_VARIANTE), "variante"
    if min(len(x), len(y)) >= 2 and OSA.distance(x, y, score_cutoff=1) <= 1:
        return float(SCORE_FAUTE), "faute"
    if meme_prononciation(x, y):
        return float(SCORE_PHONETIQUE), "phonetique"
    mots_x, mots_y = set(x.split()), set(y.split())
    if mots_x <= mots_y or mots_y <= mots_x:
        return float(SCORE_COMPOSE), "compose"
    return fuzz.ratio(x, y), "proche"


def _similarite_nom(a: Identite, nom: str, nom_naissance: str) -> tuple[float, str]:
    """Similarité des noms : le nom de chacun, et le nom de naissance de l'une contre le nom (ou le nom de
    naissance) de l'autre, égaux à l'identique (femme mariée enregistrée sous ses deux noms)."""
    meilleure = _similarite(a.nom, nom)
    if meilleure[0] < SCORE_NOM_NAISSANCE:
        for x, y in ((a.nom_naissance, nom), (a.nom, nom_naissance), (a.nom_naissance, nom_naissance)):
            if x and x == y:
                return float(SCORE_NOM_NAISSANCE), "naissance"
    return meilleure


def _combiner(s1: float, s2: float) -> float:
    # Le moins ressemblant des deux champs pèse le plus : même nom et prénom
    # différent (frères et sœurs, jumeaux) ne doit pas suffire.
    return 0.35 * max(s1, s2) + 0.65 * min(s1, s2)


def dates_proches(d1: date, d2: date) -> bool:
    """Même date, ou une faute de saisie : un seul chiffre de JJMMAAAA différent, ou jour et mois inversés
    (le blocage des dates proches, ``detection_sql.SQL_DATE_PROCHE`` ; ``comparer_dates`` les note)."""
    if d1 == d2:
        return True
    x, y = f"{d1:%d%m%Y}", f"{d2:%d%m%Y}"
    return sum(c1 != c2 for c1, c2 in zip(x, y, strict=True)) == 1 or x == f"{d2:%m%d%Y}"


def date_inversee(d: date) -> date | None:
    """La date aux jour et mois inversés (07/04/1985 → 04/07/1985), s'il en existe une autre."""
    if d.day > 12 or d.day == d.month:
        return None
    return date(d.year, d.day, d.month)


def comparer_dates(d1: date, d2: date) -> tuple[int, str]:
    """Pénalité et motif de deux dates de naissance : même date, jour et mois inversés, un chiffre de
    différence (sauf une génération d'écart : parent et enfant du même nom), autre date."""
    if d1 == d2:
        return 0, "même date de naissance"
    if date_inversee(d1) == d2:
        return PENALITE_DATE_INVERSEE, "jour et mois inversés dans la date de naissance"
    if dates_proches(d1, d2) and abs(d1.year - d2.year) < ECART_GENERATION:
        return PENALITE_DATE_PROCHE, "dates de naissance proches"
    return PENALITE_DATE_DIFFERENTE, "dates de naissance différentes"


def _plafond_noms(a: Identite, nom: str, prenom: str, nom_naissance: str = "") -> float:
    """Majorant de ``score_noms`` de ``noter`` calculé sur deux similarités au lieu de quatre.

    ``_combiner`` pèse le champ le moins ressemblant à 65 % : le score direct
    est au plus 35 + 0,65 × s(nom, nom), le croisé au plus 35 + 0,65 ×
    s(nom, prénom) − pénalité d'inversion.
    """
    direct = 35 + 0.65 * _similarite_nom(a, nom, nom_naissance)[0]
    croise = 35 + 0.65 * _similarite(a.nom, prenom)[0] - PENALITE_INVERSION
    return max(direct, croise)


def _lignes_a_noter(
    a: Identite, noms: list[str], prenoms: list[str], seuil: int, noms_naissance: list[str] | None = None
) -> set[int]:
    """Indices des lignes dont ``_plafond_noms`` peut atteindre le seuil, trouvés en quatre passes C.

    ``_similarite`` vaut ``fuzz.ratio`` sauf cinq cas qui la relèvent : noms égaux sans leurs espaces,
    une seule faute (distance OSA ≤ 1), variantes d'un même prénom, même prononciation, mots de l'un
    inclus dans l'autre ; ``_similarite_nom`` y ajoute les noms de naissance. Une ligne est donc gardée
    si le ratio atteint la borne, si la distance OSA est ≤ 1, si variante ou clé phonétique sont celles
    du nom cherché, si un des noms comparés a plusieurs mots ou si l'une des deux personnes a un nom de
    naissance : aucune ligne que ``_plafond_noms`` garderait n'est écartée (les gardées sont notées
    exactement ensuite).
    """
    if " " in a.nom or a.nom_naissance:
        return set(range(len(noms)))
    gardees: set[int] = {i for i, naissance in enumerate(noms_naissance or ()) if naissance}
    variante, phonetique = _variante(a.nom), _phonetique(a.nom)
    if len(phonetique) < LONGUEUR_PHONETIQUE:
        phonetique = None
    for autres, borne in (
        (noms, (seuil - 0.5 - 35) / 0.65),
        (prenoms, (seuil - 0.5 - 35 + PENALITE_INVERSION) / 0.65),
    ):
        if borne <= 0:  # seuil très bas : toute ligne peut l'atteindre
            return set(range(len(noms)))
        if borne <= 100:  # au-delà (seuil relevé), le ratio seul n'y mène pas
            gardees.update(
                i for _c, _s, i in process.extract(a.nom, autres, scorer=fuzz.ratio, score_cutoff=borne, limit=None)
            )
        if len(a.nom) >= 2:
            gardees.update(
                i for _c, _s, i in process.extract(a.nom, autres, scorer=OSA.distance, score_cutoff=1, limit=None)
            )
        gardees.update(
            i
            for i, autre in enumerate(autres)
            if " " in autre
            or (variante is not None and _variante(autre) == variante)
            or (phonetique is not None and _phonetique(autre) == phonetique)
        )
    return gardees


_MOTIFS_NATURE = {
    "faute": "une lettre diffère dans le {champ}",
    "variante": "{champ} : autre translittération ({x} / {y})",
    "phonetique": "{champ} de même prononciation ({x} / {y})",
    "compose": "{champ} composé ou d'usage",
    "naissance": "le nom de naissance de l'une est le nom de l'autre",
}


def noter(
    a: Identite, nom: str, prenom: str, date_naissance, nom_naissance: str = "", sexe: str = ""
) -> tuple[int, str]:
    """Score 0–100 de deux identités normalisées, et le motif lisible de la ressemblance."""
    s_nom, n_nom = _similarite_nom(a, nom, nom_naissance)
    s_prenom, n_prenom = _similarite(a.prenom, prenom)
    direct = _combiner(s_nom, s_prenom)
    s_croise_1, _ = _similarite(a.nom, prenom)
    s_croise_2, _ = _similarite(a.prenom, nom)
    croise = _combiner(s_croise_1, s_croise_2) - PENALITE_INVERSION
    penalite, motif_date = comparer_dates(a.date_naissance, date_naissance)
    motifs = [motif_date]
    if croise > direct:
        motifs.append("nom et prénom inversés")
        score_noms, memes_prenoms = croise, a.prenom == nom
    else:
        score_noms, memes_prenoms = direct, a.prenom == prenom
        if n_nom == n_prenom == "identique":
            motifs.append("nom et prénom identiques")
        else:
            for champ, nature, score, x, y in (
                ("nom", n_nom, s_nom, a.nom, nom),
                ("prénom", n_prenom, s_prenom, a.prenom, prenom),
            ):
                if nature == "proche":
                    motifs.append(f"{champ} proche ({round(score)} %)")
                elif nature in _MOTIFS_NATURE:
                    motifs.append(_MOTIFS_NATURE[nature].format(champ=champ, x=x, y=y))
    if a.sexe and sexe and a.sexe != sexe and not memes_prenoms:
        # Jumeaux de sexes différents (Julie / Julien) ; un même prénom avec un autre sexe est une erreur de saisie.
        penalite += PENALITE_SEXE
        motifs.append("sexes différents")
    return max(0, round(score_noms - penalite)), ", ".join(motifs)


def _noter_paire(
    ident: Identite, role: str, nom: str, prenom: str, naissance, nom_naissance: str = "", sexe: str = ""
) -> tuple[int, str]:
    score, motif = noter(ident, nom, prenom, naissance, nom_naissance, sexe)
    if ident.role != role:
        motif += ", le co-demandeur de l'une est le demandeur de l'autre"
    elif role == choix.Role.CODEMANDEUR:
        motif += ", même co-demandeur"
    return score, motif


# ---------------------------------------------------------------- vérification à la saisie


def _paires_exclues(demande_id: int | None) -> set[int]:
    """Demandes déjà déclarées distinctes de ``demande_id``, ou fusionnées avec elle."""
    if not demande_id:
        return set()
    exclues = set()
    for a, b in SuspicionDoublon.objects.filter(
        Q(demande_a_id=demande_id) | Q(demande_b_id=demande_id),
        statut__in=[SuspicionDoublon.Statut.DISTINCTES, SuspicionDoublon.Statut.FUSIONNEE],
    ).values_list("demande_a_id", "demande_b_id"):
        exclues.add(b if a == demande_id else a)
    return exclues


def candidats(
    personnes, *, exclure_demande: int | None = None, seuil: int = SEUIL, limite: int = 20, neuve: bool = False
) -> list[Candidat]:
    """Demandes actives dont le demandeur ou le co-demandeur ressemble à une personne du dossier.

    ``exclure_demande`` : la demande du dossier (ses propres clés ne sont pas des candidats) ;
    ``neuve`` : elle vient d'être créée dans cette transaction, aucune paire n'est encore connue.

    Requêtes indexées (blocage, paires écartées, état des seuls candidats) puis
    le score en Python : quelques millisecondes à 1 million de demandes
    (docs/doublons.md, « Mesures »).
    """
    identites = identites_du_dossier(personnes)
    if not identites:
        return []
    phonetiques = []
    if seuil <= 100 - PENALITE_DATE_PROCHE:
        # Une date mal saisie ne peut atteindre le seuil que s'il est abaissé : sinon, inutile de lire ces lignes.
        for ident in identites:
            phon_nom, phon_prenom = cle_phonetique(ident.nom), cle_phonetique(ident.prenom)
            if phon_nom and phon_prenom:
                phonetiques.append((phon_nom, phon_prenom))
    # Toutes les clés nées le même jour ou jour et mois inversés (pas de limite : un doublon exact ne doit pas
    # échapper sur une date très partagée, le 01/01 des dates inconnues) ; le pré-filtre en écarte la plupart.
    dates = {i.date_naissance for i in identites} | {date_inversee(i.date_naissance) for i in identites}
    lignes = detection_sql.lignes_de_blocage(
        dates=dates - {None}, phonetiques=phonetiques, exclure_demande=exclure_demande
    )
    exclues = set() if neuve else _paires_exclues(exclure_demande)
    lignes = [ligne for ligne in lignes if ligne[0] not in exclues]
    noms = [ligne[2] for ligne in lignes]
    prenoms = [ligne[3] for ligne in lignes]
    noms_naissance = [ligne[5] for ligne in lignes]
    meilleurs: dict[int, Candidat] = {}
    # Écarte sans tout noter les lignes qui ne peuvent atteindre le seuil (la plupart : même date de
    # naissance, autre personne) ; le score exact reste celui de ``noter``. Paires notées dans l'ordre
    # des lignes puis des identités (à score égal, la première trouvée l'emporte).
    paires = sorted(
        (i, k)
        for k, ident in enumerate(identites)
        for i in _lignes_a_noter(ident, noms, prenoms, seuil, noms_naissance)
    )
    for i, k in paires:
        ident = identites[k]
        demande_id, role, nom, prenom, naissance, nom_naissance, sexe = lignes[i]
        if _plafond_noms(ident, nom, prenom, nom_naissance) < seuil - 0.5:  # score arrondi à l'entier
            continue
        score, motif = _noter_paire(ident, role, nom, prenom, naissance, nom_naissance, sexe)
        if score < seuil:
            continue
        actuel = meilleurs.get(demande_id)
        if actuel is None or score > actuel.score:
            meilleurs[demande_id] = Candidat(demande_id, score, motif, role)
    if meilleurs:
        actives = set(Demande.objects.filter(pk__in=meilleurs, etat=Demande.Etat.ACTIVE).values_list("pk", flat=True))
        meilleurs = {k: v for k, v in meilleurs.items() if k in actives}
    return sorted(meilleurs.values(), key=lambda c: (-c.score, c.demande_id))[:limite]


class RecherchesTropNombreuses(ValidationError):
    """L'agent a dépassé le nombre de recherches de doublons permis sur la fenêtre (énumération)."""


def compter_recherche_doublons(user) -> int:
    """Compte une recherche de doublons de l'agent ; ``RecherchesTropNombreuses`` au-delà du plafond.

    La recherche à la saisie dit si un ménage a déjà une demande, même hors du
    territoire de l'agent : sans plafond, un initié sonderait le fichier
    identité par identité. Compteur par agent dans le cache partagé, fenêtre
    fixe de ``FDLS_DOUBLONS_RECHERCHES_FENETRE_S`` secondes.
    """
    fenetre = settings.FDLS_DOUBLONS_RECHERCHES_FENETRE_S
    cle = f"doublons:recherches:{user.pk}:{int(time.time()) // fenetre}"
    cache.add(cle, 0, timeout=fenetre)
    nombre = cache.incr(cle)
    if nombre > settings.FDLS_DOUBLONS_RECHERCHES_MAX:
        minutes = max(1, fenetre // 60)
        raise RecherchesTropNombreuses(
            f"Trop de recherches de doublons en peu de temps ({settings.FDLS_DOUBLONS_RECHERCHES_MAX} par "
            f"{minutes} minutes) : votre saisie est conservée, réessayez dans quelques minutes.",
            code="recherches_trop_nombreuses",
        )
    return nombre


def jeton_candidat(user, demande_id: int) -> str:
    """Désignation opaque d'un candidat dans le formulaire (jamais l'identifiant interne de la demande)."""
    return salted_hmac("fdls.doublons.candidat", f"{user.pk}:{demande_id}", algorithm="sha256").hexdigest()[:24]


def candidats_affichables(personnes, user, exclure_demande: int | None = None) -> list[dict]:
    """Candidats à montrer à l'agent qui enregistre : ``{demande, score, motif, hors_territoire, jeton}``.

    ``jeton`` (``jeton_candidat``) désigne le candidat dans le formulaire
    (« vu ») sans révéler l'identifiant interne d'une demande hors territoire.

    CCH R441-2-6 : l'agent ne consulte les données nominatives que des demandes
    de son territoire. Pour une demande hors territoire, l'écran dit seulement
    qu'une demande existe, avec son numéro unique et son guichet
    d'enregistrement (de quoi éviter un second enregistrement et joindre ce
    guichet), sans nom, date de naissance, motif ni score (docs/doublons.md).
    """
    trouves = candidats(personnes, exclure_demande=exclure_demande)
    if not trouves:
        return []
    ids = [c.demande_id for c in trouves]
    visibles = set(Demande.objects.visibles_par(user).filter(pk__in=ids).values_list("pk", flat=True))
    demandes = Demande.objects.select_related("guichet__organisme", "guichet__commune").in_bulk(ids)
    resultat = []
    for c in trouves:
        demande = demandes.get(c.demande_id)
        if demande is None:
            continue
        if c.demande_id in visibles:
            resultat.append({"demande": demande, "score": c.score, "motif": c.motif, "hors_territoire": False})
        else:
            resultat.append({"demande": demande, "score": None, "motif": "", "hors_territoire": True})
        resultat[-1]["jeton"] = jeton_candidat(user, demande.pk)
    return resultat


def _paire(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def signaler_suspicions(
    demande: Demande, *, source: str, ecartes=(), auteur=None, trouves=None, neuve: bool = False
) -> list[SuspicionDoublon]:
    """Enregistre les suspicions de doublon d'une demande.

    Une paire que l'agent a écartée à la saisie (« ce n'est pas le même
    ménage ») est enregistrée comme distincte, avec un événement sur les deux
    demandes ; elle n'est écartée que si l'agent voit l'autre demande. Les
    paires déjà connues ne sont pas réécrites (ON CONFLICT DO NOTHING).
    ``trouves`` : les candidats déjà cherchés par l'appelant (``candidats``) ;
    ``neuve`` : demande créée dans cette transaction, qui n'a encore aucune
    paire connue (rien à relire).
    """
    if trouves is None:
        trouves = candidats(list(demande.personnes.all()), exclure_demande=demande.pk, limite=50)
    trouves = [c for c in trouves if c.demande_id != demande.pk]
    if not trouves:
        return []
    user = getattr(auteur, "user", None)
    ecartes = {int(i) for i in ecartes if str(i).isdigit()}
    if ecartes and getattr(user, "pk", None):
        ecartes &= set(Demande.objects.visibles_par(user).filter(pk__in=ecartes).values_list("pk", flat=True))
    else:
        ecartes = set()
    maintenant = timezone.now()
    deja = (
        set()
        if neuve
        else {
            _paire(a, b)
            for a, b in SuspicionDoublon.objects.filter(
                Q(demande_a_id=demande.pk) | Q(demande_b_id=demande.pk)
            ).values_list("demande_a_id", "demande_b_id")
        }
    )
    nouvelles = []
    for c in trouves:
        a, b = _paire(demande.pk, c.demande_id)
        if (a, b) in deja:
            continue
        ecartee = c.demande_id in ecartes
        nouvelles.append(
            SuspicionDoublon(
                demande_a_id=a,
                demande_b_id=b,
                score=c.score,
                motif=c.motif[:200],
                source=source,
                statut=SuspicionDoublon.Statut.DISTINCTES if ecartee else SuspicionDoublon.Statut.A_TRAITER,
                traitee_le=maintenant if ecartee else None,
                traitee_par=user if ecartee and getattr(user, "pk", None) else None,
            )
        )
    SuspicionDoublon.objects.bulk_create(nouvelles, ignore_conflicts=True)
    for s in nouvelles:
        if s.statut == SuspicionDoublon.Statut.DISTINCTES:
            autre = s.demande_b_id if s.demande_a_id == demande.pk else s.demande_a_id
            _evenements_distinctes(demande, Demande.objects.get(pk=autre), auteur, score=s.score, a_la_saisie=True)
    return nouvelles


# ---------------------------------------------------------------- détection nocturne


def _traiter_lot(debut: int, fin: int, seuil: int) -> tuple[int, int]:
    """Paires candidates du lot ]debut, fin], notées ; insère les suspicions. Rend (paires, créées)."""
    meilleures: dict[tuple[int, int], tuple[int, str]] = {}
    # Les dates mal saisies ne sont lues que si le seuil est à leur portée (``--seuil`` bas).
    lignes = detection_sql.paires_du_lot(debut, fin, dates_proches=seuil <= 100 - PENALITE_DATE_PROCHE)
    for da, db, ra, na, pa, dna, nna, sxa, rb, nb, pb, dnb, nnb, sxb in lignes:
        score, motif = _noter_paire(Identite(na, pa, dna, ra, nna, sxa), rb, nb, pb, dnb, nnb, sxb)
        if score >= seuil and score > meilleures.get((da, db), (-1, ""))[0]:
            meilleures[(da, db)] = (score, motif[:200])
    if not meilleures:
        return len(lignes), 0
    colonnes = [[], [], [], []]
    for (a, b), (score, motif) in meilleures.items():
        for colonne, valeur in zip(colonnes, (a, b, score, motif), strict=True):
            colonne.append(valeur)
    return len(lignes), detection_sql.inserer_suspicions_nuit(*colonnes)


def detecter_doublons_fichier(
    *,
    depuis_id: int = 0,
    taille_lot: int = 5000,
    seuil: int = SEUIL,
    max_lots: int | None = None,
    etat: TraitementPlanifie | None = None,
) -> dict:
    """Détection nocturne sur tout le fichier actif, par lots de demandes qui valident chacun.

    Idempotente : une paire déjà connue (à traiter, fusionnée ou distincte)
    n'est jamais réécrite (``ON CONFLICT DO NOTHING``), deux passages créent
    les mêmes lignes. Reprise : ``depuis_id`` (ou le point de reprise
    de ``etat``, par défaut la ligne ``TraitementPlanifie`` du jour pour
    ``JOB_NUIT``, écrit dans la transaction de chaque lot) ; mémoire
    bornée par la taille d'un lot. ``max_lots`` arrête après ce nombre de lots.
    """
    if etat is None:
        etat, _ = TraitementPlanifie.objects.get_or_create(job=JOB_NUIT, jour=timezone.localdate())
    reprise = TraitementPlanifie.objects.filter(pk=etat.pk)
    debut_chrono = time.monotonic()
    compteurs = {"lots": 0, "paires_examinees": 0, "suspicions_creees": 0, "dernier_id": depuis_id}
    dernier = depuis_id
    while max_lots is None or compteurs["lots"] < max_lots:
        with transaction.atomic():
            fin = detection_sql.fin_du_lot(dernier, taille_lot)
            if fin is None:
                reprise.update(point_de_reprise=0, maj_le=timezone.now())
                break
            examinees, creees = _traiter_lot(dernier, fin, seuil)
            reprise.update(point_de_reprise=fin, maj_le=timezone.now())
        compteurs["lots"] += 1
        compteurs["paires_examinees"] += examinees
        compteurs["suspicions_creees"] += creees
        compteurs["dernier_id"] = dernier = fin
    compteurs["duree_s"] = round(time.monotonic() - debut_chrono, 2)
    return compteurs


def point_de_reprise() -> int:
    """Dernier identifiant traité par une détection nocturne interrompue (0 si elle a fini)."""
    dernier = TraitementPlanifie.objects.filter(job=JOB_NUIT).order_by("-jour", "-pk").first()
    return dernier.point_de_reprise if dernier else 0


# ---------------------------------------------------------------- traitement des suspicions


def _verifier_modifiables(user, *demandes: Demande) -> None:
    ids = {d.pk for d in demandes}
    if not getattr(user, "pk", None) or Demande.objects.modifiables_par(user).filter(pk__in=ids).count() != len(ids):
        raise ValidationError(
            "Vous ne pouvez pas traiter ce doublon : il faut pouvoir modifier les deux demandes "
            "(agent d'un guichet accompagnateur dont le territoire couvre les deux demandes)."
        )


def _verrouiller_paire(*demandes: Demande) -> dict[int, Demande]:
    # Toujours dans l'ordre des identifiants : deux fusions croisées ne s'interbloquent pas.
    lignes = Demande.objects.select_for_update().filter(pk__in=[d.pk for d in demandes]).order_by("pk")
    return {d.pk: d for d in lignes}


def _evenements_distinctes(d1: Demande, d2: Demande, auteur: Auteur, *, score: int, a_la_saisie: bool = False):
    quand = " à l'enregistrement" if a_la_saisie else ""
    for demande, autre in ((d1, d2), (d2, d1)):
        ecrire_evenement(
            demande,
            Evenement.Type.DOUBLON_ECARTE,
            auteur,
            precisions=f"Ménage distinct de la demande {autre.numero_unique_affiche}{quand}",
            details={"autre_demande": autre.numero_unique, "autre_demande_id": autre.pk, "score": score},
            etat_avant=demande.etat,
            etat_apres=demande.etat,
        )


@transaction.atomic
def marquer_distinctes(suspicion: SuspicionDoublon, *, auteur: Auteur) -> SuspicionDoublon:
    """Les deux demandes concernent deux ménages distincts : la paire n'est plus jamais proposée."""
    suspicion = SuspicionDoublon.objects.select_for_update().get(pk=suspicion.pk)
    if suspicion.statut != SuspicionDoublon.Statut.A_TRAITER:
        raise ValidationError(f"Cette suspicion est déjà traitée ({suspicion.get_statut_display().lower()}).")
    demandes = _verrouiller_paire(suspicion.demande_a, suspicion.demande_b)
    a, b = demandes[suspicion.demande_a_id], demandes[suspicion.demande_b_id]
    _verifier_modifiables(auteur.user, a, b)
    suspicion.statut = SuspicionDoublon.Statut.DISTINCTES
    suspicion.traitee_le = timezone.now()
    suspicion.traitee_par = auteur.user
    suspicion.save(update_fields=["statut", "traitee_le", "traitee_par"])
    _evenements_distinctes(a, b, auteur, score=suspicion.score)
    return suspicion


def apercu_fusion(garder: Demande, absorber: Demande) -> dict:
    """Ce que la fusion conservera (montré à l'étape de confirmation, écrit dans l'historique)."""
    depot = min(d for d in (garder.date_depot, absorber.date_depot) if d)
    gardees = {loc.commune_id: loc for loc in garder.localisations.select_related("commune")}
    anciennetes, ajoutees = [], []
    for loc in absorber.localisations.select_related("commune").order_by("rang"):
        actuelle = gardees.get(loc.commune_id)
        if actuelle is None:
            ajoutees.append({"commune": loc.commune.nom, "date_anciennete": loc.date_anciennete})
            gardees[loc.commune_id] = loc
        elif loc.date_anciennete and (not actuelle.date_anciennete or loc.date_anciennete < actuelle.date_anciennete):
            anciennetes.append(
                {
                    "commune_id": loc.commune_id,
                    "commune": loc.commune.nom,
                    "avant": actuelle.date_anciennete,
                    "apres": loc.date_anciennete,
                }
            )
    expiration = max((d for d in (garder.date_expiration, absorber.date_expiration) if d), default=None)
    return {
        "date_depot": depot,
        "date_depot_modifiee": depot != garder.date_depot,
        "date_expiration": expiration,
        "date_expiration_modifiee": expiration != garder.date_expiration,
        "anciennetes": anciennetes,
        "localisations_ajoutees": ajoutees,
    }


def _iso(valeur):
    return valeur.isoformat() if valeur else None


def _reporter_suspicions(absorbee: Demande, gardee: Demande) -> None:
    """Les autres suspicions à traiter de la demande absorbée portent désormais sur la demande gardée."""
    fusion_sql.reporter_suspicions(absorbee=absorbee.pk, gardee=gardee.pk)
    SuspicionDoublon.objects.filter(
        Q(demande_a=absorbee) | Q(demande_b=absorbee), statut=SuspicionDoublon.Statut.A_TRAITER
    ).exclude(Q(demande_a=gardee) | Q(demande_b=gardee)).delete()


@transaction.atomic
def fusionner_demandes(garder: Demande, absorber: Demande, *, auteur: Auteur) -> Demande:
    """Fusionne deux demandes actives du même ménage ; rend la demande gardée.

    La demande gardée prend la date de dépôt la plus ancienne des deux (CCH
    L441-1 : l'ancienneté du demandeur ne se perd pas), et l'échéance la plus
    lointaine ; chaque commune souhaitée garde sa date d'ancienneté la plus
    ancienne ; les communes de la seule demande absorbée sont ajoutées à la
    suite. La demande absorbée est annulée (motif « doublon »,
    ``fusionnee_dans``), son historique reste le sien et se lit avec celui de
    la demande gardée (``evenements_du_dossier``).
    """
    if garder.pk == absorber.pk:
        raise ValidationError("Une demande ne peut pas être fusionnée avec elle-même.")
    demandes = _verrouiller_paire(garder, absorber)
    garder, absorber = demandes[garder.pk], demandes[absorber.pk]
    _verifier_modifiables(auteur.user, garder, absorber)
    if garder.etat != Demande.Etat.ACTIVE:
        raise ValidationError(
            f"La demande {garder.numero_unique_affiche} est {garder.get_etat_display().lower()} : "
            "seules deux demandes actives se fusionnent."
        )
    transition = WORKFLOW_DEMANDE.verifier(absorber, "fusionner")
    apercu = apercu_fusion(garder, absorber)

    # Demande gardée : dates et localisations.
    champs = ["updated_at"]
    if apercu["date_depot_modifiee"]:
        garder.date_depot = apercu["date_depot"]
        champs.append("date_depot")
    if apercu["date_expiration_modifiee"]:
        garder.date_expiration = apercu["date_expiration"]
        garder.date_renouvellement = absorber.date_renouvellement
        champs += ["date_expiration", "date_renouvellement"]
    garder.save(update_fields=champs)
    for ancien in apercu["anciennetes"]:
        LocalisationSouhaitee.objects.filter(demande=garder, commune_id=ancien["commune_id"]).update(
            date_anciennete=ancien["apres"]
        )
    rang = max(garder.localisations.values_list("rang", flat=True), default=0)
    communes_gardees = set(garder.localisations.values_list("commune_id", flat=True))
    for loc in absorber.localisations.order_by("rang"):
        if loc.commune_id in communes_gardees:
            continue
        rang += 1
        communes_gardees.add(loc.commune_id)
        LocalisationSouhaitee.objects.create(
            demande=garder,
            rang=rang,
            commune_id=loc.commune_id,
            quartier_id=loc.quartier_id,
            date_anciennete=loc.date_anciennete,
        )

    # Demande absorbée : annulée pour doublon (transition « fusionner »).
    avant = absorber.etat
    absorber.etat = transition.cible
    absorber.date_fin = timezone.localdate()
    absorber.motif_annulation = choix.MotifAnnulation.DOUBLON
    absorber.fusionnee_dans = garder
    absorber.save(update_fields=["etat", "date_fin", "motif_annulation", "fusionnee_dans", "updated_at"])

    details = {
        "demande_gardee": garder.numero_unique,
        "demande_gardee_id": garder.pk,
        "demande_absorbee": absorber.numero_unique,
        "demande_absorbee_id": absorber.pk,
        "date_depot_conservee": _iso(apercu["date_depot"]),
        "date_expiration_conservee": _iso(apercu["date_expiration"]),
        "anciennetes_conservees": [
            {"commune": a["commune"], "avant": _iso(a["avant"]), "apres": _iso(a["apres"])}
            for a in apercu["anciennetes"]
        ],
        "localisations_ajoutees": [
            {"commune": a["commune"], "date_anciennete": _iso(a["date_anciennete"])}
            for a in apercu["localisations_ajoutees"]
        ],
    }
    ecrire_evenement(
        garder,
        transition.evenement,
        auteur,
        precisions=(
            f"Demande {absorber.numero_unique_affiche} fusionnée dans celle-ci ; "
            f"date de dépôt conservée : {apercu['date_depot']:%d/%m/%Y}"
        ),
        details=details,
        etat_avant=garder.etat,
        etat_apres=garder.etat,
    )
    ecrire_evenement(
        absorber,
        transition.evenement,
        auteur,
        precisions=(
            f"Fusionnée dans la demande {garder.numero_unique_affiche} (doublon) "
            f"({choix.fondement_radiation(choix.MotifAnnulation.DOUBLON)})"
        ),
        details={
            **details,
            "motif": choix.MotifAnnulation.DOUBLON,
            "fondement": choix.fondement_radiation(choix.MotifAnnulation.DOUBLON),
        },
        etat_avant=avant,
        etat_apres=absorber.etat,
    )

    a, b = _paire(garder.pk, absorber.pk)
    SuspicionDoublon.objects.filter(demande_a_id=a, demande_b_id=b).update(
        statut=SuspicionDoublon.Statut.FUSIONNEE, traitee_le=timezone.now(), traitee_par=auteur.user
    )
    _reporter_suspicions(absorber, garder)
    signaler(garder, "fusion")
    return garder


# ---------------------------------------------------------------- lectures


def demandes_du_dossier(demande: Demande) -> list[int]:
    """La demande et toutes celles qui y ont été fusionnées, directement ou en chaîne."""
    ids, frontiere = [demande.pk], [demande.pk]
    while frontiere:
        frontiere = list(Demande.objects.filter(fusionnee_dans__in=frontiere).values_list("pk", flat=True))
        frontiere = [i for i in frontiere if i not in ids]
        ids += frontiere
    return ids


def evenements_du_dossier(demande: Demande):
    """Historique d'un dossier : ses événements et ceux des demandes qui y ont été fusionnées, récents d'abord."""
    return (
        Evenement.objects.filter(demande_id__in=demandes_du_dossier(demande))
        .select_related("demande", "auteur", "organisme")
        .order_by("-date", "-id")
    )


def suspicions_visibles(user):
    """Suspicions dont les deux demandes sont visibles par ``user`` (CCH R441-2-6)."""
    visibles = Demande.objects.visibles_par(user).values("pk")
    return SuspicionDoublon.objects.filter(demande_a__in=visibles, demande_b__in=visibles)


def demandes_suspectes() -> list[int]:
    """Identifiants des demandes d'une suspicion de doublon à traiter (file de l'accueil, liste des demandes)."""
    paires = SuspicionDoublon.objects.filter(statut=SuspicionDoublon.Statut.A_TRAITER).values_list(
        "demande_a_id", "demande_b_id"
    )
    return sorted({pk for paire in paires for pk in paire})
