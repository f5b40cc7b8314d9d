#!/usr/bin/env bash
# Restauration d'une sauvegarde FDLS (scripts/sauvegarder.sh) dans une base NEUVE.
#
#   scripts/restaurer.sh FICHIER.dump URL_CIBLE
#
# La base cible doit exister et être vide (createdb) : le script refuse
# d'écraser une base qui contient déjà des tables. La restauration se fait en
# une transaction (tout ou rien) ; FDLS_RESTAURATION_JOBS=N (> 1) la
# parallélise à la place (plus rapide sur une grosse base, mais pas
# transactionnelle : recommencer dans une base neuve en cas d'échec).
# FDLS_RESTAURATION_SANS_PROPRIETAIRE=1 ignore propriétaires et droits (copie
# de travail sur un serveur où les rôles de production n'existent pas).
# Affiche le nombre de lignes de chaque table restaurée.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage : $0 FICHIER.dump URL_CIBLE" >&2
    exit 2
fi
fichier="$1"
cible="${2/#pgsql:\/\//postgres://}"
bin="${PG_BIN:+${PG_BIN%/}/}"
jobs="${FDLS_RESTAURATION_JOBS:-1}"

[ -r "$fichier" ] || { echo "Sauvegarde illisible : $fichier" >&2; exit 1; }
"${bin}pg_restore" --list "$fichier" >/dev/null

tables="$("${bin}psql" --no-psqlrc --no-password --quiet --tuples-only --no-align --dbname="$cible" \
    --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [ "$tables" != "0" ]; then
    echo "La base cible contient déjà $tables table(s) : restaurez dans une base neuve (createdb)." >&2
    exit 1
fi

options=(--no-password --exit-on-error --dbname="$cible")
if [ "${FDLS_RESTAURATION_SANS_PROPRIETAIRE:-0}" = "1" ]; then
    options+=(--no-owner --no-privileges)
fi
if [ "$jobs" -gt 1 ]; then
    options+=(--jobs="$jobs")
else
    options+=(--single-transaction)
fi

"${bin}pg_restore" "${options[@]}" "$fichier"
"${bin}psql" --no-psqlrc --no-password --quiet --set=ON_ERROR_STOP=1 --dbname="$cible" --command="ANALYZE" >/dev/null

# Comptage exact de chaque table : à comparer avec la base d'origine.
# (\gexec plutôt que query_to_xml : le PostgreSQL embarqué est compilé sans libxml.)
"${bin}psql" --no-psqlrc --no-password --quiet --tuples-only --no-align --field-separator=' ' \
    --set=ON_ERROR_STOP=1 --dbname="$cible" <<'SQL'
SELECT format('SELECT %L, count(*) FROM public.%I', table_name, table_name)
FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
ORDER BY table_name
\gexec
SQL
