#!/usr/bin/env bash
# Suite complète : lint, migrations à jour, contrats d'architecture, tests (pytest -n 2).
# Sans DATABASE_URL / REDIS_URL, les tests utilisent le PostgreSQL et le Valkey embarqués.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/installer.sh

# Paquets Debian des tests : Chromium (tests navigateur), pgBackRest et PostgreSQL 15
# (exercice de perte du disque, tests/fiabilite/test_archivage_wal.py).
paquets=()
[ -x /usr/bin/chromium ] || paquets+=(chromium)
command -v pgbackrest >/dev/null 2>&1 || paquets+=(pgbackrest)
[ -x /usr/lib/postgresql/15/bin/initdb ] || paquets+=(postgresql-15)
if [ ${#paquets[@]} -gt 0 ]; then
    echo "→ Installation des paquets Debian des tests : ${paquets[*]}"
    sudo=""
    [ "$(id -u)" = "0" ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${paquets[@]}" >/dev/null
fi

echo "→ ruff (lint et format)"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "→ Migrations à jour"
.venv/bin/python manage.py makemigrations --check --dry-run -v 1
echo "→ Contrats d'architecture (import-linter)"
.venv/bin/lint-imports
echo "→ Tests"
.venv/bin/pytest -n "${FDLS_TEST_WORKERS:-2}" "$@"
