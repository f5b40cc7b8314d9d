"""Calcul et stockage de la cotation : une demande (dans la transaction qui la change), tout le fichier, la nuit.

- ``recalculer_demande`` : appelée par le signal ``demandes.dossier.signaux.demande_changee``
  dans la transaction de l'enregistrement, de la modification, du
  renouvellement, d'un label, d'un refus ou d'un passage en CAL ; une requête
  d'écriture (résultat + historique des totaux).
- ``recalculer_fichier`` : toutes les demandes actives, dans PostgreSQL (grilles
  compilées en SQL, ``compilation_sql``), par tranches d'identifiants qui se
  valident chacune : mémoire constante, reprise possible (une tranche rejouée
  réécrit les mêmes lignes). ``recalculer_fichier_python`` fait le même travail
  par le moteur Python (faits lus en cinq requêtes ensemblistes par paquet, COPY
  dans une table temporaire puis un seul ``INSERT … ON CONFLICT``) : la
  référence, et le recours pour une grille que le SQL ne sait pas reproduire.
- ``recalculer_delta`` (calcul de nuit, ``cotation.traitements``) : seulement
  les demandes dont ``prochaine_echeance`` est atteinte (bandes d'ancienneté,
  décotes qui expirent), les demandes actives sans résultat et celles dont un
  label ou un événement de CAL a été écrit hors des services, puis la
  répartition des totaux analogues.

Le SQL est dans ``paquets_sql`` (identifiants par paquets), ``resultats_sql``
(écriture des résultats) et ``compilation_sql`` (grilles compilées).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from demandes.models import Demande
from demandes.relances.verrous_sql import verrou_attendu
from fdls.socle.cache import CacheDate
from fdls.socle.taches import planifier

from . import compilation_sql, paquets_sql
from . import faits as faits_mod
from .models import Critere, Famille, Grille, ResultatCotation
from .moteur import GrilleCompilee, Resultat, compiler, coter
from .resultats_sql import ecrire_paquet, ecrire_resultats, rafraichir_distributions

journal = logging.getLogger(__name__)

# ---------------------------------------------------------------- grilles en vigueur (cache par processus)

CACHE_GRILLES = CacheDate("grilles_en_vigueur", duree=60, modeles=(Grille, Famille, Critere))


def vider_cache() -> None:
    CACHE_GRILLES.vider()


def grilles_en_vigueur() -> dict[str, GrilleCompilee]:
    """Grilles en vigueur compilées, par SIREN d'EPCI (cache de 60 s, vidé à chaque écriture d'une grille)."""
    return CACHE_GRILLES.lire("grilles", _compiler_grilles_en_vigueur)


def _compiler_grilles_en_vigueur() -> dict[str, GrilleCompilee]:
    grilles = Grille.objects.filter(etat=Grille.Etat.EN_VIGUEUR)
    familles: dict[int, list] = {}
    for f in Famille.objects.filter(grille__in=grilles):
        familles.setdefault(f.grille_id, []).append(f)
    criteres: dict[int, list] = {}
    for c in Critere.objects.filter(grille__in=grilles):
        criteres.setdefault(c.grille_id, []).append(c)
    return {g.epci_id: compiler(g, familles.get(g.pk, []), criteres.get(g.pk, [])) for g in grilles}


def coter_faits(f: faits_mod.Faits, le: date, grilles: dict[str, GrilleCompilee] | None = None) -> Resultat:
    """Le résultat du territoire du premier choix de commune (étude d'impact, outils) ; voir ``coter_territoires``."""
    grilles = grilles_en_vigueur() if grilles is None else grilles
    return coter(f, grilles.get(f.epci) if f.epci else None, le)


@dataclass(frozen=True)
class ResultatTerritoire:
    """Le résultat d'une demande pour un territoire : ``territoire`` = SIREN de l'EPCI (``""`` : aucune grille)."""

    territoire: str
    commune: str | None
    resultat: Resultat


def coter_territoires(
    f: faits_mod.Faits, le: date, grilles: dict[str, GrilleCompilee] | None = None
) -> list[ResultatTerritoire]:
    """Un résultat par EPCI doté d'une grille en vigueur parmi les choix, dans l'ordre des choix (seed 001 §5 :
    la cotation s'applique à toutes les demandes du territoire) ; sans aucun, un résultat sans grille ni points."""
    grilles = grilles_en_vigueur() if grilles is None else grilles
    resultats = [
        ResultatTerritoire(epci, commune, coter(f, grilles[epci], le))
        for epci, commune in f.territoires
        if epci in grilles
    ]
    return resultats or [ResultatTerritoire("", f.commune, coter(f, None, le))]


# ---------------------------------------------------------------- une demande


def recalculer_demande(
    demande: Demande,
    *,
    dossier=None,
    neuve: bool = False,
    motif: str = "",
    le: date | None = None,
) -> Resultat | None:
    """Recote une demande active et stocke le résultat (dans la transaction de l'appelant).

    ``dossier`` : le dossier que le service appelant vient d'écrire (évite de
    le relire) ; ``neuve`` : demande créée dans cette transaction (ni label
    manuel ni événement de CAL). Une demande qui n'est pas active garde sa
    dernière cotation (figée, pour l'historique et les statistiques).
    """
    if demande.etat != Demande.Etat.ACTIVE:
        return None
    le = le or timezone.localdate()
    if dossier is not None:
        labels = None
        if neuve:
            # Seuls des labels automatiques peuvent exister : posés plus tôt dans la même transaction
            # (le service qui les a posés les a notés sur le dossier ; sinon, relus).
            labels = dossier.labels
            if labels is None:
                labels = dict(
                    demande.labels.filter(date_retrait__isnull=True).values_list("type__code", "type__libelle")
                )
        f = faits_mod.depuis_dossier(dossier, labels=labels, neuve=neuve)
    else:
        trouves = faits_mod.charger([demande.pk])
        if not trouves:
            return None
        f = trouves[0]
    resultats = coter_territoires(f, le)
    ecrire_resultats(
        [_ligne_paquet(f, r) for r in resultats], demande_id=f.demande_id, quand=timezone.now(), motif=motif
    )
    return resultats[0].resultat


def resultats_de(demande: Demande) -> list[ResultatCotation]:
    """Les résultats d'une demande, un par territoire, dans l'ordre de ses choix (le premier choix d'abord)."""
    resultats = list(ResultatCotation.objects.select_related("grille__epci").filter(demande=demande))
    rangs = {}
    for rang, epci in demande.localisations.order_by("rang").values_list("rang", "commune__epci_id"):
        rangs.setdefault(epci, rang)
    return sorted(resultats, key=lambda r: (rangs.get(r.territoire, 10**6), r.territoire))


def resultat_de(demande: Demande, territoire: str | None = None) -> ResultatCotation | None:
    """Le résultat du territoire ``territoire`` (SIREN), ou par défaut celui du premier territoire des choix."""
    resultats = resultats_de(demande)
    if territoire is not None:
        return next((r for r in resultats if r.territoire == territoire), None)
    return resultats[0] if resultats else None


def historique_de(demande: Demande):
    return demande.historique_cotation.select_related("grille").order_by("-date", "-id")


# ---------------------------------------------------------------- un recalcul à la fois par territoire

#: Premier entier des verrous consultatifs des recalculs (le second : hashtext("fichier") ou du SIREN de l'EPCI).
CLASSE_VERROU = 7320


@contextmanager
def recalcul_exclusif(epci: str | None = None) -> Iterator[None]:
    """Sérialise les recalculs d'un territoire (verrou consultatif de session **attendu**, rendu par PostgreSQL si
    le processus meurt) : deux grilles activées ensemble, une activation pendant le calcul de nuit, deux beats ou
    un renvoi de l'outbox ne recotent plus en même temps ; le second attend, puis relit grilles et totaux à jour.

    Tout le fichier (``epci=None``, seul cas aujourd'hui) : verrou exclusif sur « fichier ». Un EPCI : verrou
    partagé sur « fichier » (deux EPCI en parallèle, jamais pendant un recalcul du fichier) et exclusif sur l'EPCI.
    """
    if epci is None:
        with verrou_attendu(CLASSE_VERROU, "fichier"):
            yield
        return
    with verrou_attendu(CLASSE_VERROU, "fichier", partage=True), verrou_attendu(CLASSE_VERROU, f"epci:{epci}"):
        yield


# ---------------------------------------------------------------- tout le fichier, par paquets


@dataclass
class Bilan:
    demandes: int = 0
    paquets: int = 0
    changees: int = 0
    sans_grille: int = 0
    duree_s: float = 0.0
    par_grille: dict = field(default_factory=dict)
    resultats: int = 0  # lignes écrites : une par (demande, territoire)


def _ligne_paquet(f: faits_mod.Faits, rt: ResultatTerritoire) -> tuple:
    """Une ligne de ``resultats_sql.ecrire_paquet`` (ordre de ``resultats_sql.COLONNES``)."""
    r = rt.resultat
    return (
        f.demande_id,
        rt.territoire,
        r.grille.id if r.grille else None,
        r.total,
        json.dumps(r.lignes_json(), ensure_ascii=False),
        r.prochaine_echeance,
        rt.commune,
        f.typologie,
    )


def coter_paquets(paquets, *, le: date, motif: str, bilan: Bilan | None = None) -> Bilan:
    bilan = bilan or Bilan()
    debut = time.perf_counter()
    grilles = grilles_en_vigueur()
    for ids in paquets:
        with transaction.atomic():
            resultats = []
            for f in faits_mod.charger(ids):
                par_territoire = coter_territoires(f, le, grilles)
                if par_territoire[0].resultat.grille is None:
                    bilan.sans_grille += 1
                resultats += [(f, rt) for rt in par_territoire]
            bilan.changees += ecrire_paquet(
                (_ligne_paquet(f, rt) for f, rt in resultats), quand=timezone.now(), motif=motif
            )
            bilan.resultats += len(resultats)
        bilan.demandes += len({f.demande_id for f, _ in resultats})
        bilan.paquets += 1
    bilan.duree_s = time.perf_counter() - debut
    return bilan


def recalculer_fichier(
    *,
    taille_paquet: int | None = None,
    le: date | None = None,
    depuis: int = 0,
    connexions: int | None = None,
) -> Bilan:
    """Recote toutes les demandes actives (après l'entrée en vigueur d'une grille, ou à la demande).

    Chaque grille en vigueur est compilée en SQL (``compilation_sql``) : le fichier est recoté dans
    PostgreSQL par tranches de ``taille_paquet`` identifiants, chacune dans sa transaction, par
    ``connexions`` connexions. Une grille que le SQL ne sait pas reproduire (``NonTraduisible``) fait
    passer tout le recalcul par le moteur Python (``recalculer_fichier_python``), la référence.

    Un seul recalcul du fichier à la fois (``recalcul_exclusif``) : les grilles sont lues après l'attente."""
    with recalcul_exclusif():
        return _recalculer_fichier(taille_paquet=taille_paquet, le=le, depuis=depuis, connexions=connexions)


def _recalculer_fichier(*, taille_paquet, le, depuis, connexions) -> Bilan:
    le = le or timezone.localdate()
    vider_cache()  # une grille activée pendant l'attente du verrou est prise en compte
    grilles = grilles_en_vigueur()
    try:
        comptes = compilation_sql.recalculer_fichier_sql(
            le,
            grilles=grilles,
            taille_tranche=taille_paquet or compilation_sql.TAILLE_TRANCHE,
            depuis=depuis,
            connexions=compilation_sql.CONNEXIONS if connexions is None else connexions,
            motif="recalcul du fichier",
        )
    except compilation_sql.NonTraduisible as erreur:
        journal.warning("Recalcul du fichier par le moteur Python : %s", erreur)
        return recalculer_fichier_python(taille_paquet=taille_paquet or 10000, le=le, depuis=depuis)
    bilan = Bilan(
        demandes=comptes.demandes,
        paquets=comptes.tranches,
        changees=comptes.changees,
        sans_grille=comptes.sans_grille,
        duree_s=comptes.duree_s,
        resultats=comptes.resultats,
    )
    rafraichir_distributions()
    return bilan


def recalculer_fichier_python(*, taille_paquet: int = 10000, le: date | None = None, depuis: int = 0) -> Bilan:
    """Recalcul du fichier par le moteur Python (faits lus par paquets, ``coter``, COPY) : la référence."""
    le = le or timezone.localdate()
    with recalcul_exclusif():
        bilan = coter_paquets(paquets_sql.actives(taille_paquet, depuis), le=le, motif="recalcul du fichier")
    rafraichir_distributions()
    return bilan


def coter_jamais_cotees(*, taille_paquet: int = 10000, le: date | None = None) -> Bilan:
    """Cote les demandes actives qui n'ont pas encore de résultat (démonstration complétée, reprise)."""
    le = le or timezone.localdate()
    with recalcul_exclusif():
        bilan = coter_paquets(paquets_sql.jamais_cotees(taille_paquet), le=le, motif="première cotation")
    rafraichir_distributions()
    return bilan


def planifier_recalcul_territoire(epci: str) -> None:
    """Après l'entrée en vigueur d'une grille : recalcul du fichier en tâche de fond, après le commit."""
    planifier("cotation.tasks.recalculer_fichier", epci=epci)


# ---------------------------------------------------------------- nuit


EVENEMENTS_DE_NUIT = ("label", "label_retrait", "refus_positionnement", "refus_attribution", "passage_cal")


def _paquets_echus(le: date, taille: int, depuis):
    """Demandes actives à recoter la nuit : un point limité dans le temps change au plus tard ``le`` ; jamais
    cotées ; ou un label, un refus ou un passage en CAL écrit depuis ``depuis`` par un traitement ensembliste
    (labels automatiques du fichier, reprise de données) qui ne passe pas par les services."""
    flux = [
        paquets_sql.echues(le, taille),
        paquets_sql.jamais_cotees(taille),
        paquets_sql.evenements_recents(depuis, list(EVENEMENTS_DE_NUIT), taille),
    ]
    vues: set[int] = set()  # une demande échue et modifiée le même jour n'est recotée qu'une fois
    for paquets in flux:
        for ids in paquets:
            nouveaux = [pk for pk in ids if pk not in vues]
            vues.update(nouveaux)
            if nouveaux:
                yield nouveaux


def recalculer_delta(*, le: date | None = None, taille_paquet: int = 10000, depuis=None) -> Bilan:
    """Le delta du calcul de nuit ; idempotent (le rejouer réécrit les mêmes résultats).

    Sont recotées les demandes dont ``prochaine_echeance`` est atteinte, celles jamais cotées et celles dont
    un label ou un événement de CAL a été écrit depuis ``depuis`` (26 h par défaut : les labels automatiques
    du fichier, recalculés à 1 h 45 par ``demandes.tasks.recalculer_labels_automatiques``) ; puis la
    répartition des totaux analogues est recalculée.
    """
    le = le or timezone.localdate()
    depuis = depuis or timezone.now() - timedelta(hours=26)
    with recalcul_exclusif():
        bilan = coter_paquets(_paquets_echus(le, taille_paquet, depuis), le=le, motif="calcul de nuit")
    rafraichir_distributions()
    return bilan
