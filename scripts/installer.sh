#!/usr/bin/env bash
# Installe les dépendances verrouillées (uv.lock) dans .venv avec Python 3.12.
# Usage : scripts/installer.sh [--no-dev]
set -euo pipefail
cd "$(dirname "$0")/.."

trouver_python() {
    if [ -n "${FDLS_PYTHON:-}" ]; then echo "$FDLS_PYTHON"; return; fi
    for candidat in python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12 \
        "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12; do
        if command -v "$candidat" >/dev/null 2>&1 && "$candidat" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
            command -v "$candidat"; return
        fi
    done
    return 1
}

if ! PYTHON=$(trouver_python); then
    echo "Python 3.12 est introuvable : installez-le ou indiquez-le avec FDLS_PYTHON=/chemin/python3.12." >&2
    exit 1
fi

mkdir -p var
if [ ! -x var/outils/bin/uv ]; then
    echo "→ Installation de uv (gestionnaire de dépendances) dans var/outils"
    "$PYTHON" -m venv var/outils
    var/outils/bin/pip install --quiet --disable-pip-version-check "uv==0.13.8"
fi
echo "→ Dépendances verrouillées (uv.lock) dans .venv"
var/outils/bin/uv sync --frozen --quiet --python "$PYTHON" "$@"
