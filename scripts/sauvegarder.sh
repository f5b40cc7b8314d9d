#!/usr/bin/env bash
# Sauvegarde logique de la base FDLS : pg_dump au format custom (-Fc), daté.
#
#   DATABASE_URL=postgres://... scripts/sauvegarder.sh [DOSSIER]
#
# DOSSIER : FDLS_SAUVEGARDE_DOSSIER, sinon ./var/sauvegardes. Le fichier est
# écrit sous un nom temporaire puis renommé une fois relu par pg_restore
# --list : un fichier fdls-*.dump présent est toujours complet. Les
# sauvegardes de plus de FDLS_SAUVEGARDE_RETENTION_JOURS jours (14) sont
# supprimées. PG_BIN choisit les binaires (même version majeure que le serveur,
# ou plus récente). Affiche le chemin du fichier créé.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL doit désigner la base à sauvegarder (postgres://utilisateur:motdepasse@hote:5432/base)}"
dossier="${1:-${FDLS_SAUVEGARDE_DOSSIER:-var/sauvegardes}}"
retention="${FDLS_SAUVEGARDE_RETENTION_JOURS:-14}"
bin="${PG_BIN:+${PG_BIN%/}/}"

# libpq comprend postgres:// et postgresql://, pas les variantes de django-environ.
url="${DATABASE_URL/#pgsql:\/\//postgres://}"
url="${url/#postgis:\/\//postgres://}"

mkdir -p "$dossier"
horodatage="$(date -u +%Y%m%dT%H%M%SZ)"
fichier="$dossier/fdls-$horodatage.dump"
partiel="$fichier.partiel"
trap 'rm -f "$partiel"' EXIT

"${bin}pg_dump" --format=custom --compress=6 --no-password --dbname="$url" --file="$partiel"
"${bin}pg_restore" --list "$partiel" >/dev/null
mv "$partiel" "$fichier"

find "$dossier" -maxdepth 1 -name 'fdls-*.dump' -mtime "+$retention" -print -delete >&2
echo "$fichier"
