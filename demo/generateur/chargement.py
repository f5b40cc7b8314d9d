"""Conduite d'une génération : lots fabriqués puis copiés, en série, avec un fil de chargement, ou en masse.

Mémoire bornée quel que soit le nombre de demandes : les tâches des lots sont
tirées au fur et à mesure, au plus ``processus + 1`` lots sont en fabrication
ou prêts sans être copiés, et la file du fil de chargement est bornée (deux
lots). Un lot de 5 000 demandes pèse ≈ 20 Mo en blocs prêts pour COPY.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Iterator
from itertools import islice

from django.db import connection

from demo.generateur import copie_sql, index_sql
from demo.generateur.contexte import charger_contexte
from demo.generateur.fabrication import Generateur
from demo.generateur.lots import RESERVE_PAR_DEMANDE, LotCompact, lignes_recherche, numeroter
from demo.generateur.parametres import Bilan, Parametres, volumes

_GENERATEUR: Generateur | None = None  # celui du processus principal, hérité par les processus de travail


def fabrique(p: Parametres | None = None) -> Generateur:
    """Générateur sans chargement, pour tirer des ménages en mémoire (bancs)."""
    p = p or Parametres(actives=0)
    return Generateur(p, charger_contexte(p), dict.fromkeys(copie_sql.TABLES, 0), {}, {})


def _part(valeur: int, i: int, nb_lots: int) -> int:
    return valeur * (i + 1) // nb_lots - valeur * i // nb_lots


def generer(p: Parametres) -> Bilan:
    """Génère et charge les demandes ; renvoie le bilan (volumes, lignes, durée)."""
    debut = time.perf_counter()
    journal = p.journal or (lambda _texte: None)
    ctx = charger_contexte(p)
    ids = copie_sql.derniers_ids()
    ids_depart = dict(ids)
    nu, ref = copie_sql.compteurs()
    gen = Generateur(p, ctx, ids, nu, ref)
    actives, satisfaites, annulees = volumes(p)
    total = actives + satisfaites + annulees
    if total == 0:
        return gen.bilan
    nb_lots = max(1, -(-total // p.taille_lot))
    parallele = p.parallele if p.parallele is not None else total > 5_000
    massif = p.massif if p.massif is not None else total > 100_000
    autovacuum = p.ajuster_autovacuum if p.ajuster_autovacuum is not None else total > 100_000
    controle_fk = p.controle_fk if p.controle_fk is not None else (total <= 100_000 or not copie_sql.superutilisateur())

    def lot_numero(i):
        return gen.lot(i, _part(actives, i, nb_lots), _part(satisfaites, i, nb_lots), _part(annulees, i, nb_lots))

    lignes: dict = {}
    restaurees = index_sql.restaurer_index()
    if restaurees:
        journal(f"  {restaurees} index d'un chargement interrompu reconstruits")
    if autovacuum:
        copie_sql.autovacuum(False)
    try:
        if massif:
            retires = index_sql.suspendre_index(copie_sql.tables_chargees())
            journal(f"  chargement en masse : {retires} index retirés jusqu'à la fin")
            _generer_massif(gen, p, nb_lots, (actives, satisfaites, annulees), lignes, controle_fk, journal, debut)
            journal(f"  reconstruction des index ({time.perf_counter() - debut:.0f} s)")
            index_sql.restaurer_index(connexions=2, journal=journal)
            # Statistiques d'abord : sans elles (autovacuum coupé pendant le chargement), le planificateur
            # croit ~10 000 demandes actives et relit toutes les ressources pour chacune (des heures à 1 M).
            copie_sql.analyser()
            journal(f"  table de rapprochement : {copie_sql.remplir_rapprochement()} lignes")
        elif parallele:
            charger_en_fond(
                (lot_numero(i) for i in range(nb_lots)),
                lambda lot: copie_sql.charger_lot(lot, lignes, controle_fk),
                lambda i: journal(f"  lot {i + 1}/{nb_lots} ({time.perf_counter() - debut:.0f} s)"),
            )
        else:
            for i in range(nb_lots):
                copie_sql.charger_lot(lot_numero(i), lignes, controle_fk)
        copie_sql.finaliser(gen.compteurs_nu, gen.compteurs_ref, gen.ids, ids_depart)
    finally:
        if autovacuum:
            copie_sql.autovacuum(True)
        if massif:
            index_sql.restaurer_index()
    if autovacuum or total > 1000:
        copie_sql.analyser()
    b = gen.bilan
    b.ressources = lignes.get("ressource", 0)
    b.cles = lignes.get("cle", 0)
    b.lignes = lignes
    b.duree = time.perf_counter() - debut
    return b


def charger_en_fond(lots, charger, progression, taille_file: int = 2) -> None:
    """Charge les ``lots`` dans un fil à part (sa propre connexion) pendant que l'appelant fabrique le suivant."""
    file: queue.Queue = queue.Queue(maxsize=taille_file)
    erreurs: list = []

    def chargeur():
        try:
            while (lot := file.get()) is not None:
                charger(lot)
                del lot  # libéré avant d'attendre le suivant
        except Exception as exc:  # remonté au fil principal
            erreurs.append(exc)
            while file.get() is not None:
                pass
        finally:
            connection.close()

    fil = threading.Thread(target=chargeur, name="fdls-copy", daemon=True)
    fil.start()
    try:
        for i, lot in enumerate(lots):
            if erreurs:
                break
            file.put(lot)
            del lot
            if i % 20 == 19:
                progression(i)
    finally:
        file.put(None)
        fil.join()
    if erreurs:
        raise erreurs[0]


# ---------------------------------------------------------------- chargement en masse


def _fabriquer(tache: tuple) -> tuple:
    """Processus de travail : fabrique le lot ``numero`` dans ses plages d'identifiants."""
    numero, debuts, taille, actives, satisfaites, annulees = tache
    gen = _GENERATEUR
    gen.ids = dict(debuts)
    gen.bilan = Bilan()
    gen.numeros_differes = True
    lot = gen.lot(numero, actives, satisfaites, annulees)
    lignes_recherche(lot, gen.ctx.communes, lambda: gen.prochain_id("recherche"))
    for table, par_demande in RESERVE_PAR_DEMANDE.items():
        if gen.ids[table] - debuts[table] > taille * par_demande:
            raise RuntimeError(f"Lot {numero} : plage d'identifiants de {table} dépassée.")
    return LotCompact(lot), gen.bilan


def _taches(depart: dict, nb_lots: int, volumes_: tuple[int, int, int]) -> Iterator[tuple]:
    """Tâches des lots, tirées au fur et à mesure : (numéro, premiers identifiants, taille, volumes du lot)."""
    actives, satisfaites, annulees = volumes_
    prochaine = dict(depart)
    for i in range(nb_lots):
        a, s, c = _part(actives, i, nb_lots), _part(satisfaites, i, nb_lots), _part(annulees, i, nb_lots)
        taille = a + s + c
        yield (i, dict(prochaine), taille, a, s, c)
        prochaine["demande"] += taille
        for table, par_demande in RESERVE_PAR_DEMANDE.items():
            prochaine[table] += taille * par_demande


def _lots_numerotes(pool, gen: Generateur, taches: Iterator[tuple], fenetre: int) -> Iterator[LotCompact]:
    """Lots dans l'ordre, numérotés ; au plus ``fenetre`` lots confiés aux processus sans avoir été repris
    (``Pool.imap`` garde sans limite les lots finis d'avance quand la copie est plus lente)."""
    en_cours: deque = deque(pool.apply_async(_fabriquer, (tache,)) for tache in islice(taches, fenetre))
    while en_cours:
        lot, bilan = en_cours.popleft().get()
        suivante = next(taches, None)
        if suivante is not None:
            en_cours.append(pool.apply_async(_fabriquer, (suivante,)))
        numeroter(lot, gen.compteurs_nu, gen.compteurs_ref)
        gen.bilan.ajouter(bilan)
        yield lot


def _generer_massif(gen: Generateur, p: Parametres, nb_lots: int, volumes_, lignes, controle_fk, journal, debut):
    """Lots fabriqués par des processus de travail, numérotés ici dans l'ordre, chargés par un fil de COPY."""
    global _GENERATEUR
    total = sum(volumes_)
    depart = dict(gen.ids)
    # Dernier identifiant réservé de chaque table : les séquences reprennent après (``copie_sql.finaliser``).
    fin = dict(depart)
    fin["demande"] += total
    for table, par_demande in RESERVE_PAR_DEMANDE.items():
        fin[table] += total * par_demande
    _GENERATEUR = gen
    # Les processus de travail n'ouvrent aucune connexion : celle du parent est fermée avant le fork.
    connection.close()
    processus = p.processus or os.cpu_count() or 2
    contexte = multiprocessing.get_context("fork")
    try:
        with contexte.Pool(processus) as pool:
            charger_en_fond(
                _lots_numerotes(pool, gen, _taches(depart, nb_lots, volumes_), fenetre=processus + 1),
                lambda lot: copie_sql.charger_lot(lot, lignes, controle_fk, recherche=False),
                lambda i: journal(f"  lot {i + 1}/{nb_lots} ({time.perf_counter() - debut:.0f} s)"),
            )
    finally:
        _GENERATEUR = None
    gen.ids = fin
