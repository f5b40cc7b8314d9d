#!/usr/bin/env bash
# Suite complète : lint, migrations à jour, contrats d'architecture, tests (pytest -n 2).
# Sans DATABASE_URL / REDIS_URL, les tests utilisent le PostgreSQL et le Valkey embarqués.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/installer.sh

if [ ! -x /usr/bin/chromium ]; then
    echo "→ Installation de Chromium (tests navigateur)"
    if [ "$(id -u)" = "0" ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
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
