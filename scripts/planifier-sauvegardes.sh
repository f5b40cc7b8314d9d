#!/usr/bin/env bash
# Sauvegardes de base planifiées par pgBackRest (service « pgbackrest » de docker-compose.yml).
#
# La configuration vient de l'environnement (PGBACKREST_STANZA, PGBACKREST_PG1_*,
# PGBACKREST_REPO1_*, et le dépôt distant éventuel PGBACKREST_REPO2_*) :
# docs/exploitation.md. Au démarrage, crée la « stanza » si elle n'existe pas
# (sans effet sinon) et vérifie l'archivage (pgbackrest check : un WAL forcé doit
# arriver dans le dépôt). Puis, toutes les FDLS_SAUVEGARDE_INTERVALLE_H heures
# (24) : une sauvegarde complète le jour FDLS_SAUVEGARDE_JOUR_COMPLETE (1 à 7,
# lundi = 1 ; 7 par défaut) ou si le dépôt n'en a pas encore, différentielle
# sinon. pgBackRest purge ensuite les sauvegardes et les WAL au-delà de
# PGBACKREST_REPO1_RETENTION_FULL sauvegardes complètes.
set -euo pipefail

intervalle_h="${FDLS_SAUVEGARDE_INTERVALLE_H:-24}"
jour_complete="${FDLS_SAUVEGARDE_JOUR_COMPLETE:-7}"

pgbackrest stanza-create
pgbackrest check

while true; do
    if [ "$(date -u +%u)" = "$jour_complete" ]; then
        type=full
    else
        type=diff  # pgBackRest fait une complète si le dépôt n'en a aucune
    fi
    if ! pgbackrest backup --type="$type"; then
        echo "Sauvegarde $type en échec : nouvelle tentative dans 15 minutes." >&2
        sleep 900
        continue
    fi
    pgbackrest info
    sleep "$((intervalle_h * 3600))"
done
